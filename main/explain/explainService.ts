/**
 * Explanations of trained runs, host side: resolves the run's model and the image, asks the
 * engine, caches the answer, and shapes it for the contract. Saliency lives here; generative
 * explanations (traversals, counterfactuals, prototypes) in generativeExplainService.ts.
 */
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { classifyingRecipes, type SaliencyReport, type ValidArgs } from '../../preload/contract'
import type { ModelSource } from '../engine/engineMessages'
import { exportFolder } from '../predict/predictService'
import { runModelSource } from '../runs/modelSource'
import { UserError } from '../platform/userError'
import { checkpointStamp, ExplainCache } from './explainCache'
import {
  checkClass,
  checkpointOf,
  mapPlane,
  pixelHash,
  type ExplainServiceOptions,
  type MapPlane
} from './explainParts'
import { explainImagePixels } from './explainImage'
import { createGenerativeExplainService } from './generativeExplainService'

export function createExplainService(options: ExplainServiceOptions) {
  const { store, dataDir, engine } = options
  const cache = new ExplainCache()

  return {
    async saliency(args: ValidArgs<'explain/saliency'>): Promise<SaliencyReport> {
      const started = performance.now()
      const target = saliencyTarget(args)
      const image = await explainImagePixels(args.image, target.data, target.fit, dataDir)
      const key = JSON.stringify([
        'saliency',
        args.method,
        args.classIndex ?? null,
        args.method === 'smoothgrad' ? [args.samples, args.noise, args.seed] : null,
        args.sanityCheck ? args.seed : null,
        pixelHash(image.pixels),
        target.stamp
      ])
      const { value, hit } = await cache.get(key, () =>
        engine().task({
          kind: 'saliency',
          source: target.source,
          pixels: image.pixels,
          method: args.method,
          classIndex: args.classIndex,
          samples: args.samples,
          noise: args.noise,
          seed: args.seed,
          sanityCheck: args.sanityCheck
        })
      )
      const { height, width, channels } = target.data
      const plane = (map: Float32Array): MapPlane => mapPlane(map, width, height)
      return {
        runId: target.runId,
        ...(target.exportDir ? { exportDir: target.exportDir } : {}),
        method: args.method,
        image: { width, height, channels, data: Buffer.from(image.pixels).toString('base64') },
        label: image.label,
        predicted: value.predicted,
        classIndex: value.classIndex,
        score: value.score,
        trained: {
          map: plane(value.trained.map),
          probabilities: Array.from(value.trained.probabilities)
        },
        ...(value.layer ? { layer: value.layer } : {}),
        ...(value.sanity
          ? {
              sanity: {
                map: plane(value.sanity.map),
                probabilities: Array.from(value.sanity.probabilities),
                rankCorrelation: value.sanity.rankCorrelation,
                seed: args.seed
              }
            }
          : {}),
        ...(args.method === 'smoothgrad'
          ? { smoothGrad: { samples: args.samples, noise: args.noise, seed: args.seed } }
          : {}),
        cached: hit,
        seconds: (performance.now() - started) / 1000
      }
    },
    ...createGenerativeExplainService(options, cache)
  }

  /** The model a saliency request explains: a classifying run, or an exported TF.js folder. */
  function saliencyTarget(args: ValidArgs<'explain/saliency'>): SaliencyTarget {
    if (args.exportDir !== undefined) {
      const { dir, metadata } = exportFolder(args.exportDir)
      if (metadata.modelFormat === 'onnx')
        throw new UserError(
          'An ONNX export cannot be differentiated here; explain the run it was exported from, ' +
            'or its TF.js export.'
        )
      if ('datasetIndex' in args.image)
        throw new UserError(
          'An exported model explains image files; dataset images are explained from their run.',
          'invalid-args'
        )
      checkClass(args.classIndex, metadata.labels.length, 'model')
      const network = metadata.networks.find((n) => n.role === 'classifier')
      return {
        source: { kind: 'exported', dir },
        data: { ...metadata.input, cacheFile: '', labels: [] },
        fit: metadata.preprocessing.fit,
        stamp: checkpointStamp(join(dir, network?.file ?? 'model.json')),
        runId: null,
        exportDir: dir
      }
    }
    const run = store.runs.get(args.runId!)
    if (!classifyingRecipes.includes(run.recipe))
      throw new UserError(
        `Run ${run.id} is a ${run.recipe} run: it does not classify images, so there is no ` +
          'prediction to explain. Its latent traversals and samples are in its Generative tab.'
      )
    const { source, fit } = runModelSource(store, dataDir, run.id)
    checkClass(args.classIndex, source.data.classes, 'model')
    return {
      source,
      data: source.data,
      fit,
      stamp: checkpointStamp(checkpointOf(source)),
      runId: run.id
    }
  }
}

interface SaliencyTarget {
  source: ModelSource
  data: Parameters<typeof explainImagePixels>[1]
  fit: 'cover' | 'contain'
  /** What identifies the weights in cache keys. */
  stamp: string
  runId: number | null
  exportDir?: string
}
