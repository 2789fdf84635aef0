/**
 * How long a run trains, in optimisation steps — shared by main (which decides) and the new-run
 * form and CLI (which say it before training starts).
 *
 * Epochs alone mislead at small label budgets: 10 labels per class on 10 classes is 100 images,
 * 2 batches of 64, so 5 epochs are 10 steps and any comparison between recipes is noise. A run
 * with a label budget therefore takes at least `minSteps` steps (default 2,000, about what the
 * label-budget experiment gives every recipe), raising its epochs up to the 1,000 allowed; a run
 * on the whole training split is left at its epochs. `minSteps: 0` trains exactly `epochs`.
 */

export const defaultMinSteps = 2000
export const maxEpochs = 1000

export interface TrainingLength {
  epochs: number
  stepsPerEpoch: number
  steps: number
  /** The epochs asked for, when `minSteps` raised them. */
  raisedFrom?: number
  /** The minimum that applied (0: none). */
  minSteps: number
}

/** The minimum steps a run takes: its own setting, else the default when it has a label budget. */
export const minStepsOf = (config: { minSteps?: number; labelsPerClass?: number }): number =>
  config.minSteps ?? (config.labelsPerClass ? defaultMinSteps : 0)

/** Epochs and steps of a run that trains on `images` images per epoch. */
export function trainingLength(
  config: { epochs: number; batchSize: number; minSteps?: number; labelsPerClass?: number },
  images: number
): TrainingLength {
  const stepsPerEpoch = Math.max(1, Math.ceil(images / config.batchSize))
  const minSteps = minStepsOf(config)
  const needed = Math.min(maxEpochs, Math.ceil(minSteps / stepsPerEpoch))
  const epochs = Math.max(config.epochs, needed)
  return {
    epochs,
    stepsPerEpoch,
    steps: epochs * stepsPerEpoch,
    minSteps,
    ...(epochs > config.epochs ? { raisedFrom: config.epochs } : {})
  }
}

/** "2,000 optimisation steps (1,000 epochs × 2 batches of 64 on 100 images)". */
export function trainingLengthText(
  length: TrainingLength,
  batchSize: number,
  images: number
): string {
  const n = (v: number): string => v.toLocaleString('en-US')
  return (
    `${n(length.steps)} optimisation steps (${n(length.epochs)} epoch${length.epochs === 1 ? '' : 's'} × ` +
    `${n(length.stepsPerEpoch)} batch${length.stepsPerEpoch === 1 ? '' : 'es'} of ${n(batchSize)} on ${n(images)} images)` +
    (length.raisedFrom === undefined
      ? ''
      : length.steps >= length.minSteps
        ? `; ${n(length.raisedFrom)} epoch${length.raisedFrom === 1 ? '' : 's'} raised to reach the minimum of ${n(length.minSteps)} steps`
        : `; ${n(length.raisedFrom)} epoch${length.raisedFrom === 1 ? '' : 's'} raised to the most allowed, ${n(maxEpochs)}, short of the minimum of ${n(length.minSteps)} steps`)
  )
}
