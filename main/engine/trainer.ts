/**
 * Classifier training inside the engine worker: the work trainingLoop.ts runs each step and epoch
 * (the learning-rate schedule, validation, early stopping, the NaN guard, checkpoints with the
 * best epoch's weights); the maths of a step lives in classifierSteps.ts.
 *
 * Reproducibility: the model's initial weights, each epoch's shuffle, each step's augmentation and
 * dropout masks all derive from the seed and the epoch/step number, never from a running random
 * stream, so a run resumed from a checkpoint continues exactly as if it had never stopped.
 */
import { existsSync, mkdirSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { buildClassifier, setDropoutStep } from './models/classifierPresets'
import type { ChannelStats } from '../datasets/normalize'
import { datasetSource, squaresSource } from './batchSources'
import {
  modelWeights,
  readCheckpoint,
  restoreModelWeights,
  writeCheckpoint,
  type Checkpoint
} from './checkpoint'
import { classifierStep, evaluateImages, inverseFrequencyWeights } from './classifierSteps'
import type { EpochReport, TrainResult, TrainSpec } from './engineMessages'
import type { JobControl } from './jobControl'
import { createOptimizer, type NamedTensor } from './optimizers'
import { learningRateAt } from './schedules'
import { generateTrainingImages } from './generatedTrainingImages'
import { initialiseFromExport } from './export/fineTune'
import {
  runTrainingLoop,
  type LoopState,
  type StepPlace,
  type TrainHooks,
  type TrainingWork
} from './trainingLoop'
import { bestCheckpointFile, checkpointFile } from '../platform/runFiles'

/** What a checkpoint remembers besides tensors. */
export interface TrainerState extends LoopState {
  bestValLoss: number | null
  bestEpoch: number | null
  /** Epochs since validation loss last improved. */
  staleEpochs: number
  /** Set on the checkpoint written when training ended (its weights are the run's final model). */
  final?: boolean
  /**
   * `standardize` runs: the statistics the model learnt with (augment and CAS include generated
   * images in them), so prediction and export standardise new images exactly alike.
   */
  normalisationStats?: ChannelStats
}

/** What the loop remembers about a step until its losses are read back. */
type StepMeta = StepPlace & { lr: number; size: number }

/** Loss that is NaN or ±Infinity: training stops, keeping the last good checkpoint. */
export class NonFiniteLossError extends Error {}

export async function train(
  jobId: string,
  spec: TrainSpec,
  control: JobControl,
  hooks: TrainHooks
): Promise<TrainResult> {
  const { config, data } = spec
  // Augment and CAS runs: the generator draws their images once, before the first step.
  const generated =
    data.kind === 'dataset' && data.generated
      ? await generateTrainingImages(data.generated)
      : undefined
  const source =
    data.kind === 'squares'
      ? squaresSource(data, config.seed)
      : datasetSource(data, config.seed, generated)
  const model = buildClassifier(config.preset, data, config.seed)
  const optimizer = createOptimizer(config)
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable)
  const classWeights = config.classWeights
    ? tf.tensor1d(inverseFrequencyWeights(source.trainIndices.map(source.labelOf), data.classes))
    : null
  const stepsPerEpoch = Math.ceil(source.trainIndices.length / config.batchSize)
  const totalSteps = stepsPerEpoch * config.epochs
  let best: NamedTensor[] | null = null
  let state: TrainerState = {
    epochsDone: 0,
    step: 0,
    elapsedSeconds: 0,
    bestValLoss: null,
    bestEpoch: null,
    staleEpochs: 0
  }
  const dir = spec.checkpointDir
  const save = async (
    file: string,
    weights = modelWeights(model)
  ): Promise<EpochReport['checkpoint']> => {
    const optimizerState = await optimizer.getState()
    try {
      const written = await writeCheckpoint(file, {
        state: { ...state, normalisationStats: source.stats },
        weights,
        optimizer: optimizerState
      })
      return { path: file, ...written }
    } finally {
      tf.dispose(optimizerState.map((t) => t.tensor))
    }
  }

  if (dir && !spec.evaluateOnly) mkdirSync(dir, { recursive: true })
  try {
    if (dir && (spec.resume || spec.evaluateOnly) && existsSync(checkpointFile(dir))) {
      state = await restore(checkpointFile(dir), model, optimizer)
      if (config.earlyStoppingPatience > 0 && existsSync(bestCheckpointFile(dir)))
        best = readWeights(bestCheckpointFile(dir))
    } else if (spec.evaluateOnly) {
      throw new Error('This run has no saved weights to evaluate; train it first.')
    } else if (config.initFrom) {
      await initialiseFromExport(model, config.initFrom)
    }
    // Awaited here: the finally below disposes the model the evaluation reads.
    if (spec.evaluateOnly) return await finish('completed', [])

    let epochLoss = 0
    let epochCorrect = 0
    let learningRate = config.learningRate
    let lossSinceReport = 0
    const work: TrainingWork<StepMeta> = {
      startEpoch() {
        epochLoss = 0
        epochCorrect = 0
        learningRate = config.learningRate
      },
      step(indices, place) {
        learningRate = learningRateAt(config, state.step, stepsPerEpoch, totalSteps)
        setDropoutStep(model, config.seed, state.step)
        const batch = source.batch(indices, state.step)
        const values = classifierStep(
          model,
          optimizer,
          variables,
          batch,
          data.classes,
          classWeights,
          learningRate
        )
        tf.dispose([batch.x, batch.y])
        return { meta: { ...place, lr: learningRate, size: indices.length }, values }
      },
      account({ meta, values }) {
        const [loss, correct] = values
        if (!Number.isFinite(loss))
          throw nonFinite(`Loss became ${loss}`, meta.epoch, meta.batch, meta.lr, state, dir)
        epochLoss += loss * meta.size
        epochCorrect += correct
        lossSinceReport += loss
      },
      progress(steps) {
        const loss = lossSinceReport / steps
        lossSinceReport = 0
        return { loss, learningRate }
      },
      async endEpoch(epoch, epochStart) {
        // Some kernels (XNNPACK's max-pool) pass over NaN, so weights can diverge under a finite loss.
        if (!(await weightsFinite(variables)))
          throw nonFinite(
            'Weights became NaN or infinite',
            epoch,
            stepsPerEpoch - 1,
            learningRate,
            state,
            dir
          )
        const seen = source.trainIndices.length
        const metrics: Record<string, number> = {
          'train/loss': epochLoss / seen,
          'train/accuracy': epochCorrect / seen,
          lr: learningRate,
          images_per_second: seen / ((performance.now() - epochStart) / 1000)
        }
        let stop = false
        if (source.valIndices.length > 0) {
          const val = await evaluateImages(model, source, source.valIndices, data.classes)
          metrics['val/loss'] = val.loss
          metrics['val/accuracy'] = val.accuracy
          if (config.earlyStoppingPatience > 0) {
            if (state.bestValLoss === null || val.loss < state.bestValLoss) {
              state.bestValLoss = val.loss
              state.bestEpoch = epoch
              state.staleEpochs = 0
              if (best) tf.dispose(best.map((t) => t.tensor))
              best = modelWeights(model).map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) }))
            } else if (++state.staleEpochs >= config.earlyStoppingPatience) {
              stop = true
            }
          }
        }
        if (spec.testEachEpoch)
          metrics['test/accuracy'] = (
            await evaluateImages(model, source, source.evalIndices, data.classes)
          ).accuracy
        return { metrics, stop }
      },
      async saveCheckpoint(epoch) {
        if (best && state.bestEpoch === epoch) await save(bestCheckpointFile(dir!), best)
        return save(checkpointFile(dir!))
      }
    }
    const { status, tensorsPerEpoch } = await runTrainingLoop(
      { jobId, config, stepsPerEpoch, trainIndices: source.trainIndices, checkpointDir: dir },
      state,
      work,
      control,
      hooks
    )
    // Early stopping keeps the weights of the epoch with the lowest validation loss.
    if (status === 'completed' && best) restoreModelWeights(model, best)
    return await finish(status, tensorsPerEpoch)
  } finally {
    if (best) tf.dispose(best.map((t) => t.tensor))
    classWeights?.dispose()
    model.dispose()
    optimizer.dispose()
    source.dispose()
  }

  async function finish(
    status: TrainResult['status'],
    tensorsPerEpoch: number[]
  ): Promise<TrainResult> {
    const base = {
      jobId,
      status,
      steps: state.step,
      epochsDone: state.epochsDone,
      finalLoss: Number.NaN,
      tensorsPerEpoch,
      backend: tf.getBackend(),
      bestEpoch: config.earlyStoppingPatience > 0 ? (state.bestEpoch ?? undefined) : undefined
    }
    if (status === 'stopped') return { ...base, accuracy: Number.NaN }
    const evaluated = await evaluateImages(model, source, source.evalIndices, data.classes)
    let checkpoint: TrainResult['checkpoint']
    if (dir && !spec.evaluateOnly) {
      state.final = true
      checkpoint = await save(checkpointFile(dir))
    }
    const { accuracy, ...images } = evaluated
    return { ...base, finalLoss: images.loss, accuracy, evaluated: images, checkpoint }
  }
}

async function restore(
  file: string,
  model: tfl.LayersModel,
  optimizer: ReturnType<typeof createOptimizer>
): Promise<TrainerState> {
  const checkpoint = readCheckpoint<TrainerState>(file)
  try {
    restoreModelWeights(model, checkpoint.weights)
    await optimizer.setState(checkpoint.optimizer)
    return checkpoint.state
  } finally {
    tf.dispose(checkpoint.weights.map((t) => t.tensor))
  }
}

/** Only the model weights of a checkpoint file (its optimizer state is disposed). */
function readWeights(file: string): NamedTensor[] {
  const checkpoint: Checkpoint<TrainerState> = readCheckpoint<TrainerState>(file)
  tf.dispose(checkpoint.optimizer.map((t) => t.tensor))
  return checkpoint.weights
}

/** Whether every weight is finite: an update can turn weights NaN after a finite loss. */
async function weightsFinite(variables: tf.Variable[]): Promise<boolean> {
  const finite = tf.tidy(() => tf.stack(variables.map((v) => tf.all(tf.isFinite(v)))))
  const values = await finite.data()
  finite.dispose()
  return values.every((v) => v === 1)
}

function nonFinite(
  what: string,
  epoch: number,
  batch: number,
  learningRate: number,
  state: TrainerState,
  dir: string | undefined
): NonFiniteLossError {
  const kept =
    state.epochsDone > 0 && dir
      ? `The checkpoint of epoch ${state.epochsDone} is kept.`
      : 'No epoch had finished, so there is no checkpoint to keep.'
  return new NonFiniteLossError(
    `${what} at epoch ${epoch + 1}, batch ${batch + 1} (learning rate ${learningRate.toPrecision(3)}); ` +
      `training stopped. ${kept} Lower the learning rate, turn on a schedule with warm-up, or check the data.`
  )
}
