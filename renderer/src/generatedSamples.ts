/** Pure helpers of "Generate on demand": where samples are saved, and in which form. */

export type SaveKind = 'png' | 'folder'

/** A suggestion beside the data directory (on the machine running main, which writes the files). */
export function defaultSavePath(dataDir: string, runId: number): string {
  const sep = dataDir.includes('\\') && !dataDir.includes('/') ? '\\' : '/'
  return `${dataDir.replace(/[\\/]+$/, '')}${sep}exports${sep}run-${runId}-samples`
}

/**
 * The `out` of `runs/saveSamples`: main writes one PNG grid when it ends in .png and an
 * ImageFolder otherwise, so the chosen button decides the ending rather than the typed path.
 */
export function saveTarget(path: string, kind: SaveKind): { out: string } | { error: string } {
  const trimmed = path.trim().replace(/[\\/]+$/, '')
  if (!trimmed) return { error: 'Enter a path to save to.' }
  const isPng = trimmed.toLowerCase().endsWith('.png')
  if (kind === 'png') return { out: isPng ? trimmed : `${trimmed}.png` }
  if (isPng) return { error: 'An ImageFolder is a folder: give a path that does not end in .png.' }
  return { out: trimmed }
}

/**
 * Columns for `count` tiles, at most `max`, with rows as even as possible (16 → 2 rows of 8,
 * not 12 and 4): the last row never trails a lone image.
 */
export function balancedColumns(count: number, max: number): number {
  if (count <= 0) return 1
  const rows = Math.ceil(count / max)
  return Math.ceil(count / rows)
}
