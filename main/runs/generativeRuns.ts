/**
 * Generative runs on the host side: the engine job of a run, the classifier that measures it, and
 * what the user asks of a trained generator (grids, samples on demand, files, scores,
 * reconstructions, latent maps). Training itself goes through the run queue (runService.ts);
 * the rest are short engine tasks.
 */
import { spreadOverClasses } from '../datasets/spreadOverClasses'
import { existsSync, readFileSync } from 'node:fs'
import {
  classifyingGenerativeRecipes,
  conditionalRecipes,
  resolveGenerativeConfig,
  type GeneratedImages,
  type GenerativeConfig,
  type GenerativeRecipe,
  type GeneratorScores,
  type ValidArgs
} from '../../preload/contract'
import type { EngineHost } from '../engine/engineHost'
import type {
  DatasetData,
  EvaluatorSpec,
  GenerativeTrainSpec,
  SavedGenerativeModel
} from '../engine/engineMessages'
import { type PixelBatch, encodePng, tileGrid, writeImageFolder } from '../datasets/pixelImages'
import { writeFileAtomic } from '../platform/atomicWrite'
import { writeFolderAtomically } from '../export/atomicFolder'
import { datasetTrainingData } from '../datasets/trainingData'
import { UserError } from '../platform/userError'
import type { RunRecord, RunRecordOf } from '../store/runRepository'
import type { RunStore } from '../store/runStore'
import { checkpointFile, runDir } from '../platform/runFiles'

/**
 * The data a generative recipe trains on: conditional recipes need labels (within the label
 * budget); SGAN learns from every training image, labelled only within its budget.
 */
export function generativeData(
  store: RunStore,
  datasetId: number,
  recipe: GenerativeRecipe,
  config: Pick<GenerativeConfig, 'labelsPerClass' | 'seed'> = { labelsPerClass: 0, seed: 0 }
): DatasetData {
  // SGAN and vae-graph learn from every training image, labelled within the budget.
  if (recipe === 'sgan' || recipe === 'vae-graph')
    return datasetTrainingData(store, datasetId, {
      normalisation: 'unit',
      semiSupervised: true,
      labelsPerClass: config.labelsPerClass,
      seed: config.seed
    })
  const conditional = conditionalRecipes.includes(recipe)
  return datasetTrainingData(store, datasetId, {
    normalisation: 'unit',
    unlabelledToo: !conditional,
    ...(conditional ? { labelsPerClass: config.labelsPerClass, seed: config.seed } : {})
  })
}

/**
 * The classifier that measures a generator: the one the config names, else the dataset's
 * completed classifier run with the best test accuracy. None: the run trains without scores.
 */
export function findEvaluator(
  store: RunStore,
  dataDir: string,
  datasetId: number,
  requested?: number
): EvaluatorSpec | undefined {
  const asEvaluator = (run: RunRecord): EvaluatorSpec | undefined =>
    run.family === 'classifier'
      ? {
          runId: run.id,
          preset: run.config.preset,
          checkpointFile: checkpointFile(runDir(dataDir, run.id)),
          normalisation: run.config.normalisation
        }
      : undefined
  if (requested !== undefined) {
    const run = store.runs.get(requested)
    const evaluator =
      run.datasetId === datasetId && run.hasCheckpoint ? asEvaluator(run) : undefined
    if (!evaluator)
      throw new UserError(
        `Run ${requested} cannot measure this generator: it must be a trained classifier on the same dataset.`
      )
    return evaluator
  }
  const best = store.runs
    .list({ status: 'completed', limit: 100_000 })
    .filter((r) => r.recipe === 'classifier' && r.datasetId === datasetId)
    .sort((a, b) => (b.headline.testAccuracy ?? 0) - (a.headline.testAccuracy ?? 0))[0]
  return best ? asEvaluator(store.runs.get(best.id)) : undefined
}

export function generativeSpec(
  store: RunStore,
  dataDir: string,
  run: RunRecordOf<'generative'>,
  options: { resume: boolean; evaluateOnly: boolean }
): GenerativeTrainSpec {
  const { recipe } = run
  const config = resolveGenerativeConfig(recipe, run.config)
  if (options.evaluateOnly && !classifyingGenerativeRecipes.includes(recipe))
    throw new UserError(
      `A ${recipe} run does not classify; measure its generator with runs/score instead.`
    )
  return {
    recipe,
    data: generativeData(store, run.datasetId!, recipe, config),
    config,
    checkpointDir: runDir(dataDir, run.id),
    ...options,
    evaluator: options.evaluateOnly
      ? undefined
      : findEvaluator(store, dataDir, run.datasetId!, config.evaluatorRunId)
  }
}

export interface GenerativeServiceOptions {
  store: RunStore
  dataDir: string
  engine: () => EngineHost
}

/** A generative run's saved model (recipe, config, shape, checkpoint) and its data. */
export function savedGenerativeRun(
  store: RunStore,
  dataDir: string,
  runId: number
): { run: RunRecordOf<'generative'>; model: SavedGenerativeModel; data: DatasetData } {
  const run = store.runs.get(runId)
  if (run.family !== 'generative')
    throw new UserError(`Run ${runId} is a ${run.recipe} run; only generative runs generate.`)
  if (!run.hasCheckpoint)
    throw new UserError(
      `Run ${runId} has no saved weights yet (they are saved at each epoch end); let it train an epoch.`,
      'conflict'
    )
  if (run.datasetId === null)
    throw new UserError(`The dataset of run ${runId} was deleted, so its image shape is unknown.`)
  const recipe = run.recipe
  const config = resolveGenerativeConfig(recipe, run.config)
  const data = generativeData(store, run.datasetId, recipe, config)
  return {
    run,
    data,
    model: {
      recipe,
      config,
      shape: {
        height: data.height,
        width: data.width,
        channels: data.channels,
        classes: data.classes
      },
      checkpointFile: checkpointFile(runDir(dataDir, runId))
    }
  }
}

export function createGenerativeService({ store, dataDir, engine }: GenerativeServiceOptions) {
  const saved = (runId: number): ReturnType<typeof savedGenerativeRun> =>
    savedGenerativeRun(store, dataDir, runId)

  /** Samples as raw pixels, with the class each was asked for (or null). */
  async function sample(
    args: ValidArgs<'runs/generate'>
  ): Promise<{ batch: PixelBatch; labels: (number | null)[] }> {
    const { run, model } = saved(args.id)
    const conditional = conditionalRecipes.includes(model.recipe)
    const classes = model.shape.classes
    if (args.classLabel !== undefined && (!conditional || args.classLabel >= classes))
      throw new UserError(
        conditional
          ? `Class ${args.classLabel} does not exist; this dataset has classes 0–${classes - 1}.`
          : `A ${run.recipe} run is not class-conditional; leave out the class.`
      )
    // An interpolation walks the latent space within one class; otherwise classes take turns.
    const labels = conditional
      ? Array.from(
          { length: args.n },
          (_, i) => args.classLabel ?? (args.interpolate ? 0 : i % classes)
        )
      : null
    const result = await engine().task({
      kind: 'generate',
      model,
      n: args.n,
      labels,
      seed: args.seed,
      interpolate: args.interpolate
    })
    return { batch: result, labels: labels ?? new Array<null>(args.n).fill(null) }
  }

  return {
    async generate(args: ValidArgs<'runs/generate'>): Promise<GeneratedImages> {
      const { batch, labels } = await sample(args)
      return {
        width: batch.width,
        height: batch.height,
        channels: batch.channels,
        count: batch.count,
        data: Buffer.from(batch.pixels).toString('base64'),
        labels,
        seed: args.seed
      }
    },

    sampleGrid(runId: number, step: number) {
      const grid = store.generative.getSampleGrid(runId, step)
      if (!grid)
        throw new UserError(`Run ${runId} has no sample grid at step ${step}.`, 'not-found')
      const { path, ...info } = grid
      return { ...info, png: readFileSync(path).toString('base64') }
    },

    /** Writes samples as one PNG grid (`out` ends in .png) or as an importable ImageFolder. */
    async saveSamples(
      args: ValidArgs<'runs/saveSamples'>
    ): Promise<{ path: string; files: number }> {
      const { out, ...request } = args
      const { batch, labels } = await sample(request)
      if (out.toLowerCase().endsWith('.png')) {
        const cols = Math.ceil(Math.sqrt(batch.count))
        writeFileAtomic(out, await encodePng(tileGrid(batch, cols)))
        return { path: out, files: 1 }
      }
      const classNames = store.runs.detail(args.id).classNames
      const write = (dir: string): Promise<number> =>
        writeImageFolder(dir, batch, labels, classNames, args.seed)
      // A new folder appears complete or not at all (a kill mid-way leaves no half ImageFolder
      // for `dgmw import` to read); into an existing one, samples of another seed are added.
      if (existsSync(out)) return { path: out, files: await write(out) }
      const written = await writeFolderAtomically(
        out,
        { force: false, replaceable: () => false },
        write
      )
      return { path: written.path, files: written.result }
    },

    async score(runId: number, evaluatorRunId?: number): Promise<GeneratorScores> {
      const { run, model, data } = saved(runId)
      const evaluator = findEvaluator(
        store,
        dataDir,
        run.datasetId!,
        evaluatorRunId ?? model.config.evaluatorRunId
      )
      if (!evaluator)
        throw new UserError(
          'Scores need a classifier trained on the same dataset (its features measure the samples). ' +
            'Train one (recipe classifier), then score again.',
          'conflict'
        )
      const core = await engine().task({ kind: 'score', model, evaluator, data })
      const step = Math.max(
        0,
        ...Object.values(run.metrics).flatMap((points) => points.map((p) => p.step))
      )
      const scores: GeneratorScores = { ...core, evaluatorRunId: evaluator.runId, step }
      recordScores(store, runId, scores)
      return scores
    },

    async reconstructions(runId: number, count: number) {
      const { model, data } = saved(runId)
      // Test images of several classes, in turn (not the first few, often all one class).
      const indices = spreadOverClasses(data.evalIndices, (i) => data.labels[i], count)
      const result = await engine().task({ kind: 'reconstruct', model, data, indices })
      return {
        width: result.width,
        height: result.height,
        channels: result.channels,
        data: Buffer.from(result.pixels).toString('base64'),
        indices
      }
    },

    async latentMap(runId: number, count: number) {
      const { model, data } = saved(runId)
      const indices = data.evalIndices.slice(0, count)
      const result = await engine().task({ kind: 'latentMap', model, data, indices })
      return {
        points: result.points,
        labels: indices.map((i) => data.labels[i]),
        projection: result.projection
      }
    }
  }
}

/** Stores a measurement of the generator: its report, its metric series and the run's headline. */
export function recordScores(store: RunStore, runId: number, scores: GeneratorScores): void {
  store.generative.saveGeneratorScores(runId, scores)
  store.runs.addMetrics(runId, [
    { name: 'score/fd', step: scores.step, value: scores.fd },
    { name: 'score/classifier_score', step: scores.step, value: scores.classifierScore },
    ...(scores.conditionalAccuracy !== undefined
      ? [
          {
            name: 'score/conditional_accuracy',
            step: scores.step,
            value: scores.conditionalAccuracy
          }
        ]
      : [])
  ])
  store.runs.updateHeadline(runId, {
    fd: scores.fd,
    classifierScore: scores.classifierScore,
    conditionalAccuracy: scores.conditionalAccuracy,
    evaluatorRunId: scores.evaluatorRunId,
    ...(scores.step === 0
      ? { fdUntrained: scores.fd, fdUntrainedEvaluatorRunId: scores.evaluatorRunId }
      : {})
  })
}
