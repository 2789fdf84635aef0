/**
 * Explanations of trained runs, host side: resolves the run's model and the image, asks the
 * engine, caches the answer, and shapes it for the contract. Saliency lives here; generative
 * explanations (traversals, counterfactuals, prototypes) in generativeExplainService.ts.
 */
import { performance } from 'node:perf_hooks'
import { classifyingRecipes, type SaliencyReport, type ValidArgs } from '../../preload/contract'
import { runModelSource } from '../runs/modelSource'
import { UserError } from '../platform/userError'
import { checkpointStamp, ExplainCache } from './explainCache'
import {
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
      const run = store.runs.get(args.runId)
      if (!classifyingRecipes.includes(run.recipe))
        throw new UserError(
          `Run ${run.id} is a ${run.recipe} run: it does not classify images, so there is no ` +
            'prediction to explain. Its latent traversals and samples are in its Generative tab.'
        )
      const { source, fit } = runModelSource(store, dataDir, args.runId)
      const { data } = source
      if (args.classIndex !== undefined && args.classIndex >= data.classes)
        throw new UserError(
          `Run ${run.id} has ${data.classes} classes (0–${data.classes - 1}); there is no class ${args.classIndex}.`,
          'invalid-args'
        )
      const image = await explainImagePixels(args.image, data, fit, dataDir)
      const key = JSON.stringify([
        'saliency',
        args.method,
        args.classIndex ?? null,
        args.method === 'smoothgrad' ? [args.samples, args.noise, args.seed] : null,
        args.sanityCheck ? args.seed : null,
        pixelHash(image.pixels),
        checkpointStamp(checkpointOf(source))
      ])
      const { value, hit } = await cache.get(key, () =>
        engine().task({
          kind: 'saliency',
          source,
          pixels: image.pixels,
          method: args.method,
          classIndex: args.classIndex,
          samples: args.samples,
          noise: args.noise,
          seed: args.seed,
          sanityCheck: args.sanityCheck
        })
      )
      const { height, width, channels } = data
      const plane = (map: Float32Array): MapPlane => mapPlane(map, width, height)
      return {
        runId: run.id,
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
}
