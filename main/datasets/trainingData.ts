import type { Augmentation } from '../../preload/contract'
import type { DatasetData } from '../compute/engineMessages'
import { UserError } from '../services/userError'
import type { RunStore } from '../store/runStore'
import { drawLabelBudget } from './labelBudget'
import type { Normalisation } from './normalize'

/**
 * Describes an imported dataset for the engine worker: where its cache is, every label, and which
 * images train and which measure (its saved split), so every run on it sees the same split.
 */
export function datasetTrainingData(
  store: RunStore,
  datasetId: number,
  options: {
    normalisation: Normalisation
    augmentation?: Augmentation
    /** Unconditional generative models also learn from unlabelled images (label −1). */
    unlabelledToo?: boolean
    /** A label budget: train on this many labelled images per class only (drawn with `seed`). */
    labelsPerClass?: number
    seed?: number
  }
): DatasetData {
  const dataset = store.getDataset(datasetId)
  if (!options.unlabelledToo && dataset.classNames.length < 2) {
    throw new UserError(
      `Dataset "${dataset.name}" has ${dataset.classNames.length} classes; a classifier needs at least two labelled classes.`
    )
  }
  const rows = store.labelsAndSplits(datasetId)
  const indicesOf = (split: string): number[] =>
    rows.flatMap((r, i) =>
      r.split === split && (r.label !== null || options.unlabelledToo) ? [i] : []
    )
  const labels = rows.map((r) => r.label ?? -1)
  let trainIndices = indicesOf('train')
  if (options.labelsPerClass)
    trainIndices = drawLabelBudget(
      trainIndices,
      (i) => labels[i],
      options.labelsPerClass,
      options.seed ?? 0
    ).labelled
  return {
    kind: 'dataset',
    cacheFile: dataset.meta.cacheFile as string,
    height: dataset.height!,
    width: dataset.width!,
    channels: dataset.channels!,
    classes: Math.max(1, dataset.classNames.length),
    labels,
    trainIndices,
    valIndices: indicesOf('val'),
    evalIndices: indicesOf('test'),
    augmentation: options.augmentation,
    normalisation: options.normalisation
  }
}
