/**
 * Host side of generative explanations: latent traversals, counterfactuals, class prototypes.
 * Resolves the generative run and the classifier that judges its images, caches answers per
 * checkpoint, image and settings, and shapes them for the contract.
 */
import type {
  CounterfactualReport,
  ImagePixels,
  LatentTraversal,
  PrototypeReport,
  ValidArgs
} from '../../preload/contract'
import {
  classifyingRecipes,
  conditionalRecipes,
  conditionalVaeRecipes,
  vaeRecipes,
  type GenerativeRecipe
} from '../../preload/contract'
import type { ModelSource } from '../engine/engineMessages'
import type { PixelBatch } from '../datasets/pixelImages'
import { readCachedImages } from '../datasets/imageCache'
import { spreadOverClasses } from '../datasets/spreadOverClasses'
import { findEvaluator, savedGenerativeRun } from '../runs/generativeRuns'
import { runModelSource } from '../runs/modelSource'
import { UserError } from '../platform/userError'
import { checkpointStamp, type ExplainCache } from './explainCache'
import { explainImagePixels, type ResolvedImage } from './explainImage'
import { checkClass, checkpointOf, pixelHash, type ExplainServiceOptions } from './explainParts'

/** Test images the KL per latent dimension is averaged over. */
const klImages = 500

export function createGenerativeExplainService(
  options: ExplainServiceOptions,
  cache: ExplainCache
) {
  const { store, dataDir, engine } = options

  /** The generative run, refused unless its recipe is one of `recipes`. */
  function generativeRun(runId: number, recipes: readonly GenerativeRecipe[], what: string) {
    const run = store.runs.get(runId)
    if (!(recipes as readonly string[]).includes(run.recipe))
      throw new UserError(
        `${what} need a ${recipes.join(', ')} run; run ${runId} is a ${run.recipe} run.`
      )
    const saved = savedGenerativeRun(store, dataDir, runId)
    const fit = store.datasets.get(run.datasetId!).meta.fit === 'contain' ? 'contain' : 'cover'
    return { ...saved, fit: fit as 'cover' | 'contain' }
  }

  /**
   * The classifier that judges generated images: the one asked for (any classifying run on the
   * same dataset), else the generator's evaluator or the dataset's best classifier, else the run
   * itself when it classifies.
   */
  function judge(
    runId: number,
    datasetId: number,
    requested: number | undefined,
    evaluatorRunId: number | undefined
  ): { runId: number; name: string; source: Exclude<ModelSource, { kind: 'exported' }> } {
    let chosen = requested
    if (chosen === undefined)
      chosen =
        findEvaluator(store, dataDir, datasetId, evaluatorRunId)?.runId ??
        (classifyingRecipes.includes(store.runs.get(runId).recipe) ? runId : undefined)
    if (chosen === undefined)
      throw new UserError(
        'A classifier judges the generated images: train one on this dataset (recipe classifier), ' +
          'or pick a classifying run.',
        'conflict'
      )
    const run = store.runs.get(chosen)
    if (!classifyingRecipes.includes(run.recipe) || run.datasetId !== datasetId)
      throw new UserError(
        `Run ${chosen} cannot judge these images: it must be a classifying run on the same dataset.`
      )
    return {
      runId: run.id,
      name: run.name ?? `Run ${run.id}`,
      source: runModelSource(store, dataDir, run.id).source
    }
  }

  return {
    async traversals(args: ValidArgs<'explain/traversals'>): Promise<LatentTraversal> {
      const { run, model, data, fit } = generativeRun(args.runId, vaeRecipes, 'Latent traversals')
      checkClass(args.classIndex, data.classes, 'dataset')
      const image = args.image
        ? await explainImagePixels(args.image, data, fit, dataDir)
        : undefined
      const conditional = (conditionalRecipes as readonly string[]).includes(run.recipe)
      const classIndex = conditional ? (args.classIndex ?? image?.label ?? 0) : null
      const klIndices = spreadOverClasses(data.evalIndices, (i) => data.labels[i], klImages)
      const dims = Math.min(args.dims, model.config.latentDim)
      const key = JSON.stringify([
        'traversals',
        image ? pixelHash(image.pixels) : null,
        classIndex,
        args.range,
        args.steps,
        dims,
        args.seed,
        checkpointStamp(model.checkpointFile)
      ])
      const { value, hit } = await cache.get(key, () =>
        engine().task({
          kind: 'traversal',
          model,
          data,
          klIndices,
          ...(image ? { pixels: image.pixels } : {}),
          classIndex,
          range: args.range,
          steps: args.steps,
          dims,
          seed: args.seed
        })
      )
      return {
        runId: run.id,
        latentDim: model.config.latentDim,
        klPerDim: value.klPerDim,
        klImages: klIndices.length,
        dims: value.dims,
        offsets: value.offsets,
        base: image ? 'image' : 'seed',
        classIndex,
        grid: { ...pixelsOf(value.images), rows: value.dims.length, cols: value.offsets.length },
        cached: hit
      }
    },

    async counterfactuals(
      args: ValidArgs<'explain/counterfactuals'>
    ): Promise<CounterfactualReport> {
      const { run, model, data, fit } = generativeRun(
        args.runId,
        conditionalVaeRecipes,
        'Counterfactuals'
      )
      checkClass(args.sourceClass, data.classes, 'dataset')
      const classifier = judge(
        run.id,
        run.datasetId!,
        args.classifierRunId,
        model.config.evaluatorRunId
      )
      const image = await explainImagePixels(args.image, data, fit, dataDir)
      const sourceClass =
        args.sourceClass ?? image.label ?? (await predictedClass(classifier.source, image))
      const key = JSON.stringify([
        'counterfactuals',
        pixelHash(image.pixels),
        sourceClass,
        checkpointStamp(model.checkpointFile),
        checkpointStamp(checkpointOf(classifier.source))
      ])
      const { value, hit } = await cache.get(key, () =>
        engine().task({
          kind: 'counterfactual',
          model,
          classifier: classifier.source,
          pixels: image.pixels,
          sourceClass
        })
      )
      const classes = data.classes
      const decoded = value.decoded
      const size = decoded.height * decoded.width * decoded.channels
      const reconstruction = decoded.pixels.subarray(sourceClass * size, (sourceClass + 1) * size)
      const rows = (values: Float32Array): number[][] =>
        Array.from({ length: values.length / classes }, (_, i) =>
          Array.from(values.subarray(i * classes, (i + 1) * classes))
        )
      return {
        runId: run.id,
        classifier: { runId: classifier.runId, name: classifier.name },
        sourceClass,
        label: image.label,
        original: pixelsOf({ ...decoded, count: 1, pixels: image.pixels }),
        originalProbabilities: Array.from(value.originalProbabilities),
        decoded: { ...pixelsOf(decoded), count: classes },
        probabilities: rows(value.probabilities),
        differenceToOriginal: differencePlanes(decoded, image.pixels),
        differenceToReconstruction: differencePlanes(decoded, reconstruction),
        cached: hit
      }
    },

    async prototypes(args: ValidArgs<'explain/prototypes'>): Promise<PrototypeReport> {
      const { run, model, data } = generativeRun(args.runId, conditionalRecipes, 'Class prototypes')
      const classifier = judge(
        run.id,
        run.datasetId!,
        args.classifierRunId,
        model.config.evaluatorRunId
      )
      const evaluation = store.results.getEvaluation(classifier.runId)
      if (!evaluation)
        throw new UserError(
          `Run ${classifier.runId} has no test-split evaluation yet, so its surest real images are unknown; evaluate it first.`,
          'conflict'
        )
      const key = JSON.stringify([
        'prototypes',
        args.perClass,
        args.candidates,
        args.seed,
        checkpointStamp(model.checkpointFile),
        checkpointStamp(checkpointOf(classifier.source))
      ])
      const { value, hit } = await cache.get(key, () =>
        engine().task({
          kind: 'prototypes',
          model,
          classifier: classifier.source,
          perClass: args.perClass,
          candidates: args.candidates,
          seed: args.seed
        })
      )
      // The real side: the classifier's stored evaluation, correct predictions, surest first.
      const indices: number[] = []
      const realConfidence: number[] = []
      const realPerClass: number[] = []
      for (let c = 0; c < data.classes; c++) {
        const page = store.results.listPredictions(classifier.runId, {
          label: c,
          predicted: c,
          limit: args.perClass
        })
        realPerClass.push(page.items.length)
        for (const p of page.items) {
          indices.push(p.idx)
          realConfidence.push(p.confidence)
        }
      }
      const size = data.height * data.width * data.channels
      const real =
        indices.length > 0 ? await readCachedImages(data.cacheFile, indices, size) : Buffer.alloc(0)
      return {
        runId: run.id,
        classifier: { runId: classifier.runId, name: classifier.name },
        perClass: args.perClass,
        generated: { ...pixelsOf(value.images), count: value.images.count },
        generatedConfidence: value.confidence,
        real: {
          width: data.width,
          height: data.height,
          channels: data.channels,
          data: real.toString('base64'),
          count: indices.length,
          indices
        },
        realConfidence,
        realPerClass,
        cached: hit
      }
    }
  }

  /** The classifier's prediction for one image (the class an unlabelled image is encoded as). */
  async function predictedClass(source: ModelSource, image: ResolvedImage): Promise<number> {
    const result = await engine().task({ kind: 'predict', source, pixels: image.pixels, count: 1 })
    const p = Array.from(result.probabilities)
    return p.indexOf(Math.max(...p))
  }
}

function pixelsOf(batch: PixelBatch): ImagePixels {
  const size = batch.height * batch.width * batch.channels * batch.count
  return {
    width: batch.width,
    height: batch.height,
    channels: batch.channels,
    data: Buffer.from(batch.pixels.buffer, batch.pixels.byteOffset, size).toString('base64')
  }
}

/**
 * Per pixel, the mean over channels of (decoded − reference) / 255 as a byte: 128 = no change,
 * 255 = brighter by the full range, 0 = darker. One plane per decoded image.
 */
function differencePlanes(
  decoded: PixelBatch,
  reference: Uint8Array
): ImagePixels & { count: number } {
  const { width, height, channels, count } = decoded
  const plane = width * height
  const out = Buffer.alloc(plane * count)
  for (let k = 0; k < count; k++)
    for (let i = 0; i < plane; i++) {
      let d = 0
      for (let ch = 0; ch < channels; ch++)
        d += decoded.pixels[(k * plane + i) * channels + ch] - reference[i * channels + ch]
      out[k * plane + i] = Math.round(128 + (127 * d) / channels / 255)
    }
  return { width, height, channels: 1, count, data: out.toString('base64') }
}
