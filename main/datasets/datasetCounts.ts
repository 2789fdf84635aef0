/**
 * A stored dataset's numbers, read back from the store and its import report: images per class and
 * split (the dataset view's histogram, the label-budget check, a re-opened import's report).
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { ImportReport, SplitName } from '../../preload/contract'
import type { RunStore } from '../store/runStore'

/** Images per class and split (`classCounts[label][split]`) and per split. */
export function classSplitCounts(
  store: RunStore,
  dataset: { id: number; classNames: readonly string[] }
): { classCounts: Record<SplitName, number>[]; splits: Record<SplitName, number> } {
  const classCounts = dataset.classNames.map(() => ({ train: 0, val: 0, test: 0 }))
  const splits = { train: 0, val: 0, test: 0 }
  for (const row of store.datasets.imageCounts(dataset.id)) {
    splits[row.split] += row.n
    if (row.label !== null && classCounts[row.label]) classCounts[row.label][row.split] += row.n
  }
  return { classCounts, splits }
}

/** The import's cleaning report (skipped files, duplicates, warnings), empty if its file is gone. */
export async function readImportReport(
  meta: Record<string, unknown>
): Promise<Pick<ImportReport, 'skipped' | 'duplicates' | 'warnings'>> {
  const reportFile = meta.report as string | undefined
  return reportFile && existsSync(reportFile)
    ? (JSON.parse(await readFile(reportFile, 'utf8')) as Pick<
        ImportReport,
        'skipped' | 'duplicates' | 'warnings'
      >)
    : { skipped: [], duplicates: [], warnings: [] }
}
