/**
 * Pure logic of the prediction table: rows in input order, sorting, filtering, the counts line,
 * shortened paths and the CSV file name (its content is preload/predictionsCsv, shared with the
 * CLI). Kept out of the components so it can be unit-tested.
 */
import type { ImagePrediction, PredictReport } from '../../preload/contract'

/** A prediction with its place in the report (its thumbnail's index). */
export interface PredictionRow extends ImagePrediction {
  index: number
}

export type PredictSortKey = 'input' | 'file' | 'class' | 'probability'
export interface PredictSort {
  key: PredictSortKey
  direction: 'asc' | 'desc'
}

export interface PredictFilter {
  /** Predicted class index, or null for every class. */
  classIndex: number | null
  /** Rows whose top-1 probability is below this (0–1) are hidden. */
  minProbability: number
  /** Generative Bayes runs: only images flagged out-of-distribution. */
  oodOnly: boolean
}

export const emptyPredictFilter = (): PredictFilter => ({
  classIndex: null,
  minProbability: 0,
  oodOnly: false
})

export const isPredictFiltering = (filter: PredictFilter): boolean =>
  filter.classIndex !== null || filter.minProbability > 0 || filter.oodOnly

export const predictionRows = (report: Pick<PredictReport, 'predictions'>): PredictionRow[] =>
  report.predictions.map((p, index) => ({ ...p, index }))

export function filterPredictions(
  rows: readonly PredictionRow[],
  filter: PredictFilter
): PredictionRow[] {
  return rows.filter(
    (r) =>
      (filter.classIndex === null || r.top1Index === filter.classIndex) &&
      r.probability >= filter.minProbability &&
      (!filter.oodOnly || r.outOfDistribution === true)
  )
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** Sorted copy; ties keep input order, so equal rows never jump about between sorts. */
export function sortPredictions(
  rows: readonly PredictionRow[],
  sort: PredictSort
): PredictionRow[] {
  const sign = sort.direction === 'asc' ? 1 : -1
  const compare = (a: PredictionRow, b: PredictionRow): number => {
    switch (sort.key) {
      case 'file':
        return collator.compare(a.path, b.path)
      case 'class':
        return collator.compare(a.top1, b.top1)
      case 'probability':
        return a.probability - b.probability
      default:
        return a.index - b.index
    }
  }
  return [...rows].sort((a, b) => sign * compare(a, b) || a.index - b.index)
}

/** A second click flips the direction; probability starts with the most confident first. */
export function nextPredictSort(current: PredictSort, key: PredictSortKey): PredictSort {
  if (current.key === key) return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' }
  return { key, direction: key === 'probability' ? 'desc' : 'asc' }
}

const plural = (n: number, word: string): string =>
  `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`

/** "312 images · 3 skipped · 14 shown". */
export function predictionCounts(predicted: number, skipped: number, shown: number): string {
  return `${plural(predicted, 'image')} · ${skipped.toLocaleString('en')} skipped · ${shown.toLocaleString('en')} shown`
}

/** Predicted images per class, for the class filter's options. */
export function classCounts(rows: readonly PredictionRow[], labels: readonly string[]): number[] {
  const counts = labels.map(() => 0)
  for (const r of rows) if (r.top1Index >= 0 && r.top1Index < counts.length) counts[r.top1Index]++
  return counts
}

/**
 * The folder every path shares (with its trailing separator), so the table can show what differs
 * (`shirts/a.png`) rather than a long upload folder repeated on every row. Empty when nothing is
 * shared or there is a single file (whose name alone would hide where it came from).
 */
export function commonFolder(paths: readonly string[]): string {
  if (paths.length === 0) return ''
  const split = (p: string): string[] => p.split(/(?<=[\\/])/)
  let shared = split(paths[0]).slice(0, -1)
  for (const p of paths.slice(1)) {
    const parts = split(p)
    let n = 0
    while (n < shared.length && n < parts.length - 1 && shared[n] === parts[n]) n++
    shared = shared.slice(0, n)
    if (shared.length === 0) return ''
  }
  return paths.length === 1 ? '' : shared.join('')
}

export const shortPath = (path: string, folder: string): string =>
  folder && path.startsWith(folder) ? path.slice(folder.length) : path

/** `predictions-<source>.csv`, safe as a file name. */
export const csvFileName = (sourceName: string): string =>
  `predictions-${safeName(sourceName) || 'model'}.csv`

/** Letters, digits, dot, dash and underscore; anything else becomes a dash. */
export const safeName = (name: string): string =>
  name
    .trim()
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 100)

export const percent = (p: number, digits = 1): string => `${(p * 100).toFixed(digits)}%`
