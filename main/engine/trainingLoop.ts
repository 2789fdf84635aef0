/**
 * The training loop both trainers run (classifier and generative): epochs over a seeded order of
 * the training images, pause/stop between steps, losses read back in groups, throttled progress
 * with an ETA, and a checkpoint at the end of every epoch. A trainer supplies only its work: what
 * one step does, what its read-back losses add up to, and what ends an epoch.
 *
 * Each epoch's order derives from the seed and the epoch number alone, so a run resumed from a
 * checkpoint continues exactly as if it had never stopped.
 */
import * as tf from '@tensorflow/tfjs-core'
import { seededRandom, shuffleInPlace } from '../platform/random'
import type {
  EpochReport,
  SampleSnapshot,
  ScoresCore,
  TrainProgress,
  TrainStart
} from './engineMessages'
import type { JobControl } from './jobControl'
import { LossReadback, type ReadStep } from './lossReadback'
import { throwOnGpuFault } from './gpuFaults'

export interface TrainHooks {
  onStart(start: TrainStart): void
  onProgress(progress: TrainProgress): void
  onEpoch(report: EpochReport): void
  onPause(): void
  onResume(): void
  /** Generative runs: a sample grid was written. */
  onSnapshot?(snapshot: SampleSnapshot): void
  /** Generative runs: the generator was measured (untrained, or at the end). */
  onScores?(scores: ScoresCore & { step: number }): void
}

/** What every trainer's checkpoint remembers about where training is. */
export interface LoopState {
  epochsDone: number
  step: number
  elapsedSeconds: number
  /**
   * The report of the epoch this checkpoint ends. The checkpoint is written before the host
   * records the epoch in SQLite, so a crash between the two leaves a checkpoint the database has
   * not heard of; a resumed run reports it again first (the host records it if it is missing).
   */
  lastEpoch?: Omit<EpochReport, 'jobId' | 'checkpoint' | 'replayed'>
}

/** Where a step sits in the run; the loop reports progress for the epoch of the last step read. */
export interface StepPlace {
  epoch: number
  batch: number
}

/** The part of a progress message only the trainer knows. */
export type ProgressLosses = Pick<TrainProgress, 'loss' | 'metrics' | 'learningRate'>

export interface EpochEnd {
  metrics: Record<string, number>
  warnings?: string[]
  /** Early stopping: no further epoch runs. */
  stop?: boolean
}

/** What a trainer does inside the loop. `Meta` is what it remembers about a step until read back. */
export interface TrainingWork<Meta extends StepPlace> {
  /** Before the first step of this attempt (not counted as training time). */
  beforeTraining?(): Promise<void>
  /** Resets the epoch's sums. */
  startEpoch(epoch: number): void
  /** Records one step on the batch of `indices`; its losses stay on the device until read back. */
  step(indices: number[], place: StepPlace): { meta: Meta; values: tf.Tensor1D }
  /** One step's losses, read back: the NaN guard and the sums. */
  account(step: ReadStep<Meta>): void
  /** The losses of the `steps` since the last progress message (and starts a new window). */
  progress(steps: number): ProgressLosses
  /**
   * Work due after this step that is not training (the generative timelapse grid), or null: the
   * loop reads back the pending steps first and does not count its time as training time.
   */
  sideWorkAfter?(place: StepPlace): (() => Promise<void>) | null
  /** The epoch's metrics (validation, warnings, …); `epochStart` is `performance.now()` then. */
  endEpoch(epoch: number, epochStart: number): Promise<EpochEnd>
  /** Writes the epoch's checkpoint (the loop calls it only when the run has a folder). */
  saveCheckpoint(epoch: number): Promise<EpochReport['checkpoint']>
}

export interface LoopOptions {
  jobId: string
  /** The run's length, batch and seed (the epoch order derives from the seed). */
  config: { epochs: number; batchSize: number; seed: number }
  stepsPerEpoch: number
  trainIndices: readonly number[]
  /** The run's folder: checkpoints are written only when there is one. */
  checkpointDir: string | undefined
}

export interface LoopResult {
  status: 'completed' | 'stopped'
  /** Live tensors after each epoch (a leak shows as growth). */
  tensorsPerEpoch: number[]
}

/** Progress is sent at most this often, so a fast backend does not flood the host. */
const progressIntervalMs = 250

/** Runs the epochs from `state` (mutated as training goes) until done, stopped or stopped early. */
export async function runTrainingLoop<Meta extends StepPlace>(
  options: LoopOptions,
  state: LoopState,
  work: TrainingWork<Meta>,
  control: JobControl,
  hooks: TrainHooks
): Promise<LoopResult> {
  const { jobId, stepsPerEpoch, checkpointDir: dir } = options
  const { epochs, batchSize, seed } = options.config
  const totalSteps = stepsPerEpoch * epochs
  const tensorsPerEpoch: number[] = []
  hooks.onStart({ jobId, fromEpoch: state.epochsDone, fromStep: state.step })
  if (state.lastEpoch) hooks.onEpoch({ jobId, ...state.lastEpoch, replayed: true })
  await work.beforeTraining?.()
  const attemptStart = performance.now()
  const elapsedBefore = state.elapsedSeconds
  const elapsed = (): number => elapsedBefore + (performance.now() - attemptStart) / 1000
  let trainedSteps = 0
  let trainingMs = 0
  let lastReport = performance.now()
  let stepsSinceReport = 0
  let stepStart = 0
  const readback = new LossReadback<Meta>()

  // The loop records steps ahead of the read-back; what comes back is accounted for here.
  const account = (steps: ReadStep<Meta>[]): void => {
    for (const step of steps) {
      work.account(step)
      stepsSinceReport++
    }
    if (steps.length === 0) return
    const now = performance.now()
    trainingMs += now - stepStart
    trainedSteps += steps.length
    stepStart = now
    if (now - lastReport > progressIntervalMs || state.step === totalSteps) {
      lastReport = now
      const secondsPerStep = trainingMs / trainedSteps / 1000
      hooks.onProgress({
        jobId,
        epoch: steps[steps.length - 1].meta.epoch,
        epochs,
        step: state.step,
        totalSteps,
        ...work.progress(stepsSinceReport),
        imagesPerSecond: batchSize / secondsPerStep,
        elapsedSeconds: elapsed(),
        etaSeconds: secondsPerStep * (totalSteps - state.step)
      })
      stepsSinceReport = 0
    }
  }

  try {
    for (let epoch = state.epochsDone; epoch < epochs; epoch++) {
      const epochStart = performance.now()
      const order = shuffleInPlace([...options.trainIndices], seededRandom(seed * 7919 + epoch))
      work.startEpoch(epoch)
      stepStart = performance.now() // the last epoch's validation and checkpoint are not training
      for (let batch = 0; batch < stepsPerEpoch; batch++) {
        if (!(await control.checkpoint(hooks.onPause, hooks.onResume))) break
        stepStart += control.lastPauseMs // time spent paused is not training time
        const indices = order.slice(batch * batchSize, (batch + 1) * batchSize)
        const { meta, values } = work.step(indices, { epoch, batch })
        state.step++
        account(await readback.push(meta, values))
        throwOnGpuFault(batchSize, state, dir)
        const sideWork = work.sideWorkAfter?.({ epoch, batch })
        if (sideWork) {
          account(await readback.flush())
          await sideWork()
          stepStart = performance.now() // side work (drawing a grid) is not training time
        }
      }
      account(await readback.flush())
      if (control.stopping) break
      const { metrics, warnings, stop } = await work.endEpoch(epoch, epochStart)
      metrics.elapsed_seconds = elapsed()
      state.epochsDone = epoch + 1
      state.elapsedSeconds = elapsed()
      state.lastEpoch = { epoch, step: state.step, metrics, ...(warnings ? { warnings } : {}) }
      const checkpoint = dir ? await work.saveCheckpoint(epoch) : undefined
      tensorsPerEpoch.push(tf.memory().numTensors)
      hooks.onEpoch({
        jobId,
        epoch,
        step: state.step,
        metrics,
        checkpoint,
        ...(warnings ? { warnings } : {})
      })
      if (stop) break
    }
    return { status: control.stopping ? 'stopped' : 'completed', tensorsPerEpoch }
  } finally {
    readback.dispose()
  }
}
