import type { DatasetSummary } from '../../preload/contract'
import { UserError } from '../platform/userError'
import type { RunStore } from '../store/runStore'
import { classSplitCounts } from './datasetCounts'

/** Labelled training images of each class (the pool a label budget draws from). */
export function labelledTrainingCounts(store: RunStore, dataset: DatasetSummary): number[] {
  return classSplitCounts(store, dataset).classCounts.map((c) => c.train)
}

/**
 * Refuses a label budget above what a class has: the draw would silently give that class fewer
 * labels than the others, and the run would not measure what its name says.
 */
export function checkLabelsPerClass(
  store: RunStore,
  dataset: DatasetSummary,
  perClass: number
): void {
  const counts = labelledTrainingCounts(store, dataset)
  if (counts.length === 0) return
  const fewest = counts.indexOf(Math.min(...counts))
  if (counts[fewest] >= perClass) return
  const n = counts[fewest]
  throw new UserError(
    `${perClass} labels per class is more than class "${dataset.classNames[fewest]}" has: it has ${n} labelled training image${n === 1 ? '' : 's'}. Choose at most ${n} labels per class (or 0 to use every label).`,
    'invalid-args'
  )
}
