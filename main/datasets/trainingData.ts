import type { Augmentation, ClassifierConfig } from '../../preload/contract'
import type { DatasetData } from '../engine/engineMessages'
import { UserError } from '../platform/userError'
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
    /**
     * A label budget: learn from this many labelled images per class only (drawn with `seed`).
     * Validation keeps the same number per class: with 10 labels per class, thousands of
     * labelled validation images would be an unrealistic advantage (Oliver et al., "Realistic
     * Evaluation of Deep Semi-Supervised Learning Algorithms", 2018). The test split is untouched.
     */
    labelsPerClass?: number
    seed?: number
    /**
     * Semi-supervised recipes: train on the whole training split, the images outside the budget
     * (and any unlabelled ones) with their labels hidden; `labelledIndices` lists the budget.
     */
    semiSupervised?: boolean
  }
): DatasetData {
  const dataset = store.datasets.get(datasetId)
  if (!options.unlabelledToo && dataset.classNames.length < 2) {
    throw new UserError(
      `Dataset "${dataset.name}" has ${dataset.classNames.length} classes; a classifier needs at least two labelled classes.`
    )
  }
  const rows = store.datasets.labelsAndSplits(datasetId)
  const withUnlabelled = options.unlabelledToo || options.semiSupervised
  const indicesOf = (split: string): number[] =>
    rows.flatMap((r, i) => (r.split === split && (r.label !== null || withUnlabelled) ? [i] : []))
  const labels = rows.map((r) => r.label ?? -1)
  const budget = (indices: number[], salt: number): number[] =>
    options.labelsPerClass
      ? drawLabelBudget(
          indices,
          (i) => labels[i],
          options.labelsPerClass,
          (options.seed ?? 0) + salt
        ).labelled
      : indices.filter((i) => labels[i] >= 0)
  let trainIndices = indicesOf('train')
  let labelledIndices: number[] | undefined
  if (options.semiSupervised) {
    labelledIndices = budget(trainIndices, 0)
    const keep = new Set(labelledIndices)
    for (const i of trainIndices) if (!keep.has(i)) labels[i] = -1
  } else if (options.labelsPerClass) {
    trainIndices = budget(trainIndices, 0)
  }
  let valIndices = indicesOf('val')
  if (options.labelsPerClass) valIndices = budget(valIndices, 1)
  return {
    kind: 'dataset',
    cacheFile: dataset.meta.cacheFile as string,
    height: dataset.height!,
    width: dataset.width!,
    channels: dataset.channels!,
    classes: Math.max(1, dataset.classNames.length),
    labels,
    trainIndices,
    ...(labelledIndices ? { labelledIndices } : {}),
    valIndices,
    // A classifier is tested on labelled images only.
    evalIndices: indicesOf('test').filter((i) => !options.semiSupervised || labels[i] >= 0),
    augmentation: options.augmentation,
    normalisation: options.normalisation
  }
}

/** What a classifier run (or an augment/CAS run's classifier) trains and is tested on. */
export function classifierTrainingData(
  store: RunStore,
  datasetId: number,
  config: Pick<ClassifierConfig, 'normalisation' | 'augmentation' | 'labelsPerClass' | 'seed'>
): DatasetData {
  return datasetTrainingData(store, datasetId, {
    normalisation: config.normalisation,
    augmentation: config.augmentation,
    labelsPerClass: config.labelsPerClass,
    seed: config.seed
  })
}
