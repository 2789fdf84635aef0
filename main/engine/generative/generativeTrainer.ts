/**
 * The training loop of generative runs, inside the engine worker: epochs of seeded batches, the
 * recipe's step, live losses, fixed-noise sample grids (the timelapse), warnings (NaN, a
 * discriminator that wins too fast, collapsing sample diversity), checkpoints every epoch and
 * generator scores at the start and the end. The maths lives in models/generative/*.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { seededRandom, shuffleInPlace } from '../../datasets/splits'
import type { LabelledBatch } from '../models/generative/recipe'
import { buildGenerativeModel, disposeGenerativeModel } from '../models/generative'
import {
  latentCodes,
  stepSeed,
  type GenerativeModel,
  type RecipeContext
} from '../models/generative/recipe'
import { datasetSource, syntheticSource, type BatchSource } from '../batchSources'
import { modelWeights, readCheckpoint, restoreModelWeights, writeCheckpoint } from '../checkpoint'
import type { EvaluatedImages, GenerativeTrainSpec, TrainResult } from '../engineMessages'
import { evaluateGenerativeClassifier } from './classifyImages'
import type { JobControl } from '../jobControl'
import type { NamedTensor } from '../optimizers'
import type { TrainHooks } from '../trainer'
import { checkpointFile, pseudoLabelsFile } from '../../platform/runFiles'
import { Evaluator } from './generatorScoring'
import type { ScoresCore } from '../engineMessages'
import { toPixels } from './sampleImages'
import { encodePng, tileGrid } from '../../datasets/pixelImages'
import { writeFileAtomic } from '../../platform/atomicWrite'
import { LossReadback, type ReadStep } from '../lossReadback'
import { throwOnGpuFault } from '../gpuFaults'

/** What a generative checkpoint remembers besides tensors. */
interface GenerativeState {
  epochsDone: number
  step: number
  elapsedSeconds: number
  /** Largest sample diversity seen so far (the mode-collapse warning compares against it). */
  peakDiversity: number
  final?: boolean
}

const progressIntervalMs = 250
/** The most timelapse frames a run draws (see `epochsPerFrame`). */
const maxFrames = 120
/** Latent codes of the timelapse grid: the same for every frame of a run. */
const gridPurpose = 99

/** Checkpoint names of a model's buffers (state learnt after training, e.g. vae-graph's bank). */
const bufferPrefix = 'buffers/'

/** The labels a vae-graph run spread over its training images (what self-train learns from). */

export const sampleGridFile = (dir: string, step: number): string =>
  join(dir, 'samples', `step-${String(step).padStart(8, '0')}.png`)

/** The grid's layout: one row per class (up to 10) for conditional models, else 8×8. */
export function gridLayout(
  conditional: boolean,
  classes: number
): { rows: number; cols: number; labels: number[] | null } {
  if (!conditional) return { rows: 8, cols: 8, labels: null }
  const rows = Math.min(classes, 10)
  const cols = 8
  return { rows, cols, labels: Array.from({ length: rows * cols }, (_, i) => Math.floor(i / cols)) }
}

export async function trainGenerative(
  jobId: string,
  spec: GenerativeTrainSpec,
  control: JobControl,
  hooks: TrainHooks
): Promise<TrainResult> {
  const { config, data, recipe } = spec
  const shape = { height: data.height, width: data.width, channels: data.channels }
  const trainCount = data.kind === 'synthetic' ? data.samples : data.trainIndices.length
  const stepsPerEpoch = Math.ceil(trainCount / config.batchSize)
  const totalSteps = stepsPerEpoch * config.epochs
  const context: RecipeContext = { recipe, shape, classes: data.classes, config, totalSteps }
  const model = buildGenerativeModel(context)
  const source: BatchSource =
    data.kind === 'synthetic'
      ? syntheticSource(data, config.seed)
      : datasetSource(
          { ...data, normalisation: model.normalisation, augmentation: undefined },
          config.seed
        )
  const evaluator =
    spec.evaluator && data.kind === 'dataset' ? new Evaluator(spec.evaluator, data) : null
  const layout = gridLayout(model.conditional, data.classes)
  const gridZ = latentCodes(
    layout.rows * layout.cols,
    config.latentDim,
    config.seed,
    0,
    gridPurpose
  )
  const gridLabels = layout.labels ? tf.tensor1d(layout.labels, 'int32') : null
  const dir = spec.checkpointDir
  const tensorsPerEpoch: number[] = []
  let state: GenerativeState = { epochsDone: 0, step: 0, elapsedSeconds: 0, peakDiversity: 0 }

  const save = async (): Promise<{ path: string; bytes: number; sha256: string }> => {
    const file = checkpointFile(dir!)
    const weights: NamedTensor[] = [
      ...Object.entries(model.nets).flatMap(([net, m]) =>
        modelWeights(m).map((w) => ({ name: `${net}/${w.name}`, tensor: w.tensor }))
      ),
      ...Object.entries(model.buffers ?? {}).map(([name, tensor]) => ({
        name: `${bufferPrefix}${name}`,
        tensor
      }))
    ]
    const optimizer: NamedTensor[] = []
    for (const [name, opt] of Object.entries(model.optimizers))
      for (const w of await opt.getState())
        optimizer.push({ name: `${name}/${w.name}`, tensor: w.tensor })
    try {
      return { path: file, ...(await writeCheckpoint(file, { state, weights, optimizer })) }
    } finally {
      tf.dispose(optimizer.map((t) => t.tensor))
    }
  }

  /** Draws the fixed-noise grid, writes it, and returns its sample diversity. */
  const snapshot = async (): Promise<number> => {
    const images = tf.tidy(() => model.generate(gridZ, gridLabels))
    const diversity = await meanPairwiseDistance(images)
    const batch = await toPixels(images)
    tf.dispose([images])
    const epoch = state.step / stepsPerEpoch
    if (dir) {
      const file = sampleGridFile(dir, state.step)
      writeFileAtomic(file, await encodePng(tileGrid(batch, layout.cols)))
      hooks.onSnapshot?.({
        jobId,
        step: state.step,
        epoch,
        rows: layout.rows,
        cols: layout.cols,
        path: file,
        diversity
      })
    }
    return diversity
  }

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
      tf.dispose([gridZ, ...(gridLabels ? [gridLabels] : [])])
      disposeGenerativeModel(model)
      source.dispose()
    }
  }

  if (dir) mkdirSync(dir, { recursive: true })
  let cleanup = (): void => {}
  try {
    if (dir && spec.resume && existsSync(checkpointFile(dir)))
      state = await restoreGenerative(checkpointFile(dir), model)
    hooks.onStart({ jobId, fromEpoch: state.epochsDone, fromStep: state.step })
    if (state.step === 0) {
      await snapshot()
      if (evaluator) {
        hooks.onScores?.(await scoreNow(model, evaluator, spec, 0))
      }
    }
    const attemptStart = performance.now()
    const elapsedBefore = state.elapsedSeconds
    const elapsed = (): number => elapsedBefore + (performance.now() - attemptStart) / 1000
    // Batches (within an epoch) after which a grid is drawn, evenly spaced, the last one included.
    const snapshotSteps = new Set(
      Array.from(
        { length: config.snapshotsPerEpoch },
        (_, k) => Math.round(((k + 1) * stepsPerEpoch) / config.snapshotsPerEpoch) - 1
      )
    )
    // Runs of hundreds of short epochs (small label budgets) keep about maxFrames grids: every
    // n-th epoch's, and always the last epoch's.
    const epochsPerFrame = Math.max(
      1,
      Math.ceil((config.epochs * config.snapshotsPerEpoch) / maxFrames)
    )
    const drawsGrids = (epoch: number): boolean =>
      (epoch + 1) % epochsPerFrame === 0 || epoch === config.epochs - 1
    let trainingMs = 0
    let trainedSteps = 0
    let lastReport = performance.now()
    let sinceReport: Record<string, number> = {}
    let stepsSinceReport = 0
    let sums: Record<string, number> = {}
    let stepStart = performance.now()
    const lastLoss: Record<string, number> = {}
    type StepMeta = { names: string[]; epoch: number; batch: number }
    const readback = new LossReadback<StepMeta>()
    cleanup = () => readback.dispose()

    /** Accounts for steps read back from the device: NaN guard, sums, progress. */
    const account = (steps: ReadStep<StepMeta>[]): void => {
      for (const { meta, values } of steps) {
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
        stepsSinceReport++
      }
      if (steps.length === 0) return
      trainedSteps += steps.length
      const now = performance.now()
      trainingMs += now - stepStart
      stepStart = now
      if (now - lastReport > progressIntervalMs || state.step === totalSteps) {
        lastReport = now
        const secondsPerStep = trainingMs / trainedSteps / 1000
        const metrics = Object.fromEntries(
          Object.entries(sinceReport).map(([k, v]) => [k, v / stepsSinceReport])
        )
        hooks.onProgress({
          jobId,
          epoch: steps[steps.length - 1].meta.epoch,
          epochs: config.epochs,
          step: state.step,
          totalSteps,
          loss: metrics.loss ?? metrics['g/loss'] ?? Number.NaN,
          metrics,
          learningRate: config.learningRate,
          imagesPerSecond: config.batchSize / secondsPerStep,
          elapsedSeconds: elapsed(),
          etaSeconds: secondsPerStep * (totalSteps - state.step)
        })
        sinceReport = {}
        stepsSinceReport = 0
      }
    }

    for (let epoch = state.epochsDone; epoch < config.epochs; epoch++) {
      const epochStart = performance.now()
      const order = shuffleInPlace(
        [...source.trainIndices],
        seededRandom(config.seed * 7919 + epoch)
      )
      sums = {}
      let diversity = Number.NaN
      for (let b = 0; b < stepsPerEpoch; b++) {
        if (!(await control.checkpoint(hooks.onPause, hooks.onResume))) break
        stepStart += control.lastPauseMs // time spent paused is not training time
        const indices = order.slice(b * config.batchSize, (b + 1) * config.batchSize)
        const batch = source.batch(indices, -1)
        const labelled = labelledBatch(state.step)
        const { names, values } = model.step(batch.x, batch.y, state.step, labelled)
        tf.dispose([batch.x, batch.y, ...(labelled ? [labelled.x, labelled.y] : [])])
        state.step++
        account(await readback.push({ names, epoch, batch: b }, values))
        throwOnGpuFault(config.batchSize, state, dir)
        if (snapshotSteps.has(b) && drawsGrids(epoch)) {
          account(await readback.flush())
          diversity = await snapshot()
          stepStart = performance.now() // drawing the grid is not training time
        }
      }
      account(await readback.flush())
      if (control.stopping) break
      const metrics: Record<string, number> = {}
      for (const [name, sum] of Object.entries(sums)) metrics[`train/${name}`] = sum / stepsPerEpoch
      metrics['samples/diversity'] = diversity
      metrics.images_per_second = trainCount / ((performance.now() - epochStart) / 1000)
      if (Number.isFinite(diversity)) state.peakDiversity = Math.max(state.peakDiversity, diversity)
      const warnings = epochWarnings(recipe, metrics, diversity, state.peakDiversity, epoch)
      metrics.elapsed_seconds = elapsed()
      state.epochsDone = epoch + 1
      state.elapsedSeconds = elapsed()
      const checkpoint = dir ? await save() : undefined
      tensorsPerEpoch.push(tf.memory().numTensors)
      hooks.onEpoch({
        jobId,
        epoch,
        step: state.step,
        metrics,
        checkpoint,
        warnings
      })
    }
    const status = control.stopping ? 'stopped' : 'completed'
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
      checkpoint = await save()
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
    cleanup()
    evaluator?.dispose()
    tf.dispose([gridZ, ...(gridLabels ? [gridLabels] : [])])
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

/**
 * `n` distinct picks from `pool` (all of it when smaller), drawn with a seed: the labelled batch
 * of a step depends only on the run's seed and the step, so a resumed run draws the same ones.
 */
export function sampleWithoutReplacement(
  pool: readonly number[],
  n: number,
  seed: number
): number[] {
  if (pool.length <= n) return [...pool]
  const random = seededRandom(seed)
  const copy = [...pool]
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (copy.length - i))
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
  }
  return copy.slice(0, n)
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

/** Loads a generative checkpoint into a freshly built model (networks and optimisers by name). */
export async function restoreGenerative(
  file: string,
  model: GenerativeModel,
  withOptimizers = true
): Promise<GenerativeState> {
  const checkpoint = readCheckpoint<GenerativeState>(file)
  try {
    if (model.buffers)
      for (const w of checkpoint.weights.filter((w) => w.name.startsWith(bufferPrefix))) {
        const name = w.name.slice(bufferPrefix.length)
        const held = model.buffers[name]
        // Variables (SGAN mlp-wn's trained parameters) keep their identity: optimisers hold them.
        if (held instanceof tf.Variable) held.assign(w.tensor)
        else {
          held?.dispose()
          model.buffers[name] = w.tensor.clone()
        }
      }
    for (const [net, m] of Object.entries(model.nets))
      restoreModelWeights(
        m,
        checkpoint.weights.filter((w) => w.name.startsWith(`${net}/`))
      )
    if (withOptimizers)
      for (const [name, opt] of Object.entries(model.optimizers))
        await opt.setState(
          checkpoint.optimizer
            .filter((w) => w.name.startsWith(`${name}/`))
            .map((w) => ({ name: w.name.slice(name.length + 1), tensor: w.tensor }))
        )
    return checkpoint.state
  } finally {
    tf.dispose([...checkpoint.weights, ...checkpoint.optimizer].map((t) => t.tensor))
  }
}

/**
 * Mean L2 distance between pairs of grid samples (pixels in [0, 1]): falls towards 0 when the
 * generator collapses onto a few modes, whatever the noise.
 */
async function meanPairwiseDistance(images: tf.Tensor4D): Promise<number> {
  const mean = tf.tidy(() => {
    const n = images.shape[0]
    const flat = tf.reshape(images, [n, -1])
    const squares = tf.sum(tf.square(flat), 1, true)
    const d2 = tf.relu(
      tf.sub(tf.add(squares, tf.transpose(squares)), tf.mul(2, tf.matMul(flat, flat, false, true)))
    )
    return tf.div(tf.sum(tf.sqrt(d2)), n * (n - 1))
  })
  const [value] = await mean.data()
  mean.dispose()
  return value
}

/** What a researcher should hear about this epoch (each warning says what to try). */
export function epochWarnings(
  recipe: string,
  metrics: Record<string, number>,
  diversity: number,
  peakDiversity: number,
  epoch: number
): string[] {
  const out: string[] = []
  const dLoss = metrics['train/d/loss']
  if (['dcgan', 'cgan', 'vaegan'].includes(recipe) && dLoss !== undefined && dLoss < 0.05)
    out.push(
      `Epoch ${epoch + 1}: the discriminator is winning (its loss ${dLoss.toFixed(3)} is near 0), so the ` +
        'generator gets little gradient. Try label smoothing 0.1, instance noise 0.1, a lower discriminator learning rate, or WGAN-GP.'
    )
  if (epoch >= 1 && peakDiversity > 0 && diversity < 0.4 * peakDiversity)
    out.push(
      `Epoch ${epoch + 1}: sample diversity fell to ${Math.round((diversity / peakDiversity) * 100)}% of its peak — ` +
        'a sign of mode collapse. Try a lower generator learning rate, instance noise, or WGAN-GP.'
    )
  return out
}
