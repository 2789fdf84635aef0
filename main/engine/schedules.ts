/**
 * Learning-rate schedules, as pure functions of the global step, so a run resumed from a checkpoint
 * continues on exactly the same curve.
 */
export interface ScheduleConfig {
  schedule: 'constant' | 'step' | 'cosine' | 'one-cycle'
  learningRate: number
  stepEpochs: number
  stepGamma: number
  warmupFraction: number
}

/** Cosine interpolation from `start` (pct 0) to `end` (pct 1), as torch's OneCycleLR anneals. */
const cosine = (start: number, end: number, pct: number): number =>
  end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1)

/** Learning rate for 0-based global `step` of `totalSteps`, with `stepsPerEpoch`. */
export function learningRateAt(
  config: ScheduleConfig,
  step: number,
  stepsPerEpoch: number,
  totalSteps: number
): number {
  const lr = config.learningRate
  switch (config.schedule) {
    case 'constant':
      return lr
    case 'step':
      return (
        lr * config.stepGamma ** Math.floor(Math.floor(step / stepsPerEpoch) / config.stepEpochs)
      )
    case 'cosine':
      return cosine(lr, 0, Math.min(1, step / Math.max(1, totalSteps)))
    case 'one-cycle':
      return oneCycle(lr, config.warmupFraction, step, totalSteps)
  }
}

/**
 * torch.optim.lr_scheduler.OneCycleLR with anneal_strategy='cos', div_factor 25 and
 * final_div_factor 1e4: from lr/25 up to lr over the warm-up, then down to lr/25e4.
 */
function oneCycle(maxLr: number, pctStart: number, step: number, totalSteps: number): number {
  const initial = maxLr / 25
  const final = initial / 1e4
  const warmupEnd = pctStart * totalSteps - 1
  const lastStep = totalSteps - 1
  if (step <= warmupEnd) return cosine(initial, maxLr, warmupEnd > 0 ? step / warmupEnd : 1)
  const span = lastStep - warmupEnd
  return cosine(maxLr, final, span > 0 ? Math.min(1, (step - warmupEnd) / span) : 1)
}
