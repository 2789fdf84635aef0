/**
 * Generative training inside the engine worker: the work trainingLoop.ts runs each step and epoch
 * for a recipe (its step, live losses, the NaN guard, the timelapse grids, the epoch's warnings),
 * checkpoints every epoch and generator scores at the start and the end. The maths lives in
 * models/generative/*.
 */
import { existsSync, mkdirSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import { sampleWithoutReplacement } from '../../platform/random'
import { buildGenerativeModel, disposeGenerativeModel } from '../models/generative'
import {
  stepSeed,
  type GenerativeModel,
  type LabelledBatch,
  type RecipeContext
} from '../models/generative/recipe'
import { datasetSource, squaresSource, type BatchSource } from '../batchSources'
import type {
  EvaluatedImages,
  GenerativeTrainSpec,
  ScoresCore,
  TrainResult
} from '../engineMessages'
import { evaluateGenerativeClassifier } from './classifyImages'
import type { JobControl } from '../jobControl'
import { checkpointFile, pseudoLabelsFile } from '../../platform/runFiles'
import { Evaluator } from './generatorScoring'
import { writeFileAtomic } from '../../platform/atomicWrite'
import {
  runTrainingLoop,
  type StepPlace,
  type TrainHooks,
  type TrainingWork
} from '../trainingLoop'
import { restoreGenerative, saveGenerative, type GenerativeState } from './generativeCheckpoint'
import { epochWarnings } from './generativeDiagnostics'
import { Timelapse } from './timelapse'

/** What the loop remembers about a step until its losses are read back. */
type StepMeta = StepPlace & { names: string[] }

export async function trainGenerative(
  jobId: string,
  spec: GenerativeTrainSpec,
  control: JobControl,
  hooks: TrainHooks
): Promise<TrainResult> {
  const { config, data, recipe } = spec
  const shape = { height: data.height, width: data.width, channels: data.channels }
  const trainCount = data.kind === 'squares' ? data.samples : data.trainIndices.length
  const stepsPerEpoch = Math.ceil(trainCount / config.batchSize)
  const totalSteps = stepsPerEpoch * config.epochs
  const context: RecipeContext = { recipe, shape, classes: data.classes, config, totalSteps }
  const model = buildGenerativeModel(context)
  const source: BatchSource =
    data.kind === 'squares'
      ? squaresSource(data, config.seed)
      : datasetSource(
          { ...data, normalisation: model.normalisation, augmentation: undefined },
          config.seed
        )
  const evaluator =
    spec.evaluator && data.kind === 'dataset' ? new Evaluator(spec.evaluator, data) : null
  const timelapse = new Timelapse(model, config, data.classes, stepsPerEpoch)
  const dir = spec.checkpointDir
  let state: GenerativeState = { epochsDone: 0, step: 0, elapsedSeconds: 0, peakDiversity: 0 }

  /** Draws the timelapse grid at the current step and returns its sample diversity. */
  const snapshot = (): Promise<number> =>
    timelapse.draw(state.step, dir, (frame) => hooks.onSnapshot?.({ jobId, ...frame }))

  // Semi-supervised recipes: the labelled images, drawn apart from the (mostly unlabelled) batch.
  const labelledIndices =
    data.kind === 'dataset' ? (data.labelledIndices ?? data.trainIndices) : source.trainIndices
  const labelledBatch = (step: number): LabelledBatch | undefined => {
    if (!model.semiSupervised) return undefined
    const picks = sampleWithoutReplacement(
      labelledIndices,
      config.batchSize,
      stepSeed(config.seed, step, 11)
    )
    return source.batch(picks, -1)
  }
  const evaluate = async (): Promise<(EvaluatedImages & { accuracy: number }) | undefined> =>
    model.classify
      ? evaluateGenerativeClassifier(model, source, {
          classes: data.classes,
          evalIndices: source.evalIndices,
          labelledIndices,
          calibrationIndices: source.valIndices,
          oodQuantile: config.oodQuantile
        })
      : undefined

  if (spec.evaluateOnly) {
    try {
      if (!dir || !existsSync(checkpointFile(dir)))
        throw new Error('This run has no saved weights to evaluate; train it first.')
      await restoreGenerative(checkpointFile(dir), model, false)
      const evaluated = await evaluate()
      if (!evaluated) throw new Error(`A ${recipe} run does not classify; nothing to evaluate.`)
      return evaluationResult(jobId, evaluated, [])
    } finally {
      timelapse.dispose()
      disposeGenerativeModel(model)
      source.dispose()
    }
  }

  if (dir) mkdirSync(dir, { recursive: true })
  try {
    if (dir && spec.resume && existsSync(checkpointFile(dir)))
      state = await restoreGenerative(checkpointFile(dir), model)
    let sums: Record<string, number> = {}
    let sinceReport: Record<string, number> = {}
    const lastLoss: Record<string, number> = {}
    let diversity = Number.NaN
    const work: TrainingWork<StepMeta> = {
      async beforeTraining() {
        if (state.step > 0) return
        await snapshot()
        if (evaluator) hooks.onScores?.(await scoreNow(model, evaluator, spec, 0))
      },
      startEpoch() {
        sums = {}
        diversity = Number.NaN
      },
      step(indices, place) {
        const batch = source.batch(indices, -1)
        const labelled = labelledBatch(state.step)
        const { names, values } = model.step(batch.x, batch.y, state.step, labelled)
        tf.dispose([batch.x, batch.y, ...(labelled ? [labelled.x, labelled.y] : [])])
        return { meta: { ...place, names }, values }
      },
      account({ meta, values }) {
        meta.names.forEach((name, i) => (lastLoss[name] = values[i]))
        // A loss this step did not compute (WGAN-GP's generator between its steps) holds its
        // last value, so every curve averages over the same steps.
        for (const [name, value] of Object.entries(lastLoss)) {
          if (!Number.isFinite(value))
            throw new Error(
              `${name} became ${value} at epoch ${meta.epoch + 1}, batch ${meta.batch + 1}; training stopped. ` +
                (state.epochsDone > 0
                  ? `The checkpoint of epoch ${state.epochsDone} is kept. `
                  : '') +
                'Lower the learning rates, add instance noise or label smoothing, or try WGAN-GP.'
            )
          sums[name] = (sums[name] ?? 0) + value
          sinceReport[name] = (sinceReport[name] ?? 0) + value
        }
      },
      progress(steps) {
        const metrics = Object.fromEntries(
          Object.entries(sinceReport).map(([k, v]) => [k, v / steps])
        )
        sinceReport = {}
        return {
          loss: metrics.loss ?? metrics['g/loss'] ?? Number.NaN,
          metrics,
          learningRate: config.learningRate
        }
      },
      sideWorkAfter({ epoch, batch }) {
        if (!timelapse.dueAfter(epoch, batch)) return null
        return async () => {
          diversity = await snapshot()
        }
      },
      async endEpoch(epoch, epochStart) {
        const metrics: Record<string, number> = {}
        for (const [name, sum] of Object.entries(sums))
          metrics[`train/${name}`] = sum / stepsPerEpoch
        metrics['samples/diversity'] = diversity
        metrics.images_per_second = trainCount / ((performance.now() - epochStart) / 1000)
        if (Number.isFinite(diversity))
          state.peakDiversity = Math.max(state.peakDiversity, diversity)
        const warnings = epochWarnings(recipe, metrics, diversity, state.peakDiversity, epoch)
        return { metrics, warnings }
      },
      saveCheckpoint: () => saveGenerative(checkpointFile(dir!), model, state)
    }
    const { status, tensorsPerEpoch } = await runTrainingLoop(
      { jobId, config, stepsPerEpoch, trainIndices: source.trainIndices, checkpointDir: dir },
      state,
      work,
      control,
      hooks
    )
    let finalMetrics: Record<string, number> | undefined
    if (status === 'completed' && model.afterTraining) {
      const after = await model.afterTraining(source, labelledIndices)
      finalMetrics = after.metrics
      if (dir && after.pseudoLabels)
        writeFileAtomic(pseudoLabelsFile(dir), Buffer.from(JSON.stringify(after.pseudoLabels)))
    }
    if (status === 'completed' && evaluator) {
      hooks.onScores?.(await scoreNow(model, evaluator, spec, state.step))
    }
    let checkpoint: TrainResult['checkpoint']
    if (dir && status === 'completed') {
      state.final = true
      checkpoint = await saveGenerative(checkpointFile(dir), model, state)
    }
    const evaluated = status === 'completed' ? await evaluate() : undefined
    return {
      ...(evaluated ? evaluationResult(jobId, evaluated, tensorsPerEpoch) : {}),
      jobId,
      status,
      steps: state.step,
      epochsDone: state.epochsDone,
      finalLoss: evaluated?.loss ?? Number.NaN,
      accuracy: evaluated?.accuracy ?? Number.NaN,
      tensorsPerEpoch,
      backend: tf.getBackend(),
      checkpoint,
      ...(finalMetrics ? { metrics: finalMetrics } : {})
    }
  } finally {
    evaluator?.dispose()
    timelapse.dispose()
    disposeGenerativeModel(model)
    source.dispose()
  }
}

function evaluationResult(
  jobId: string,
  evaluated: EvaluatedImages & { accuracy: number },
  tensorsPerEpoch: number[]
): TrainResult {
  const { accuracy, ...images } = evaluated
  return {
    jobId,
    status: 'completed',
    steps: 0,
    epochsDone: 0,
    finalLoss: images.loss,
    accuracy,
    evaluated: images,
    tensorsPerEpoch,
    backend: tf.getBackend()
  }
}

async function scoreNow(
  model: GenerativeModel,
  evaluator: Evaluator,
  spec: GenerativeTrainSpec,
  step: number
): Promise<ScoresCore & { step: number }> {
  return {
    ...(await evaluator.score(
      model,
      spec.config.latentDim,
      spec.config.scoreSamples,
      spec.config.seed
    )),
    step
  }
}
