/**
 * Explanations of trained runs, host side: resolves the run's model and the image, asks the
 * engine, caches the answer, and shapes it for the contract. Saliency lives here; generative
 * explanations (traversals, counterfactuals, prototypes) in generativeExplainService.ts.
 */
import { createHash } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import {
  classifyingRecipes,
  type MapPlane,
  type SaliencyReport,
  type ValidArgs
} from '../../preload/contract'
import type { EngineHost } from '../engine/engineHost'
import type { ModelSource } from '../engine/engineMessages'
import { runModelSource } from '../runs/modelSource'
import { UserError } from '../platform/userError'
import type { RunStore } from '../store/runStore'
import { checkpointStamp, ExplainCache } from './explainCache'
import { explainImagePixels } from './explainImage'
import { createGenerativeExplainService } from './generativeExplainService'

export interface ExplainServiceOptions {
  store: RunStore
  dataDir: string
  engine: () => EngineHost
}

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

/** The checkpoint whose weights an answer depends on. */
export function checkpointOf(source: Exclude<ModelSource, { kind: 'exported' }>): string {
  return source.kind === 'classifier' ? source.checkpointFile : source.model.checkpointFile
}

/** Identifies an image's pixels in cache keys (a file edited on disk is explained afresh). */
export const pixelHash = (pixels: Uint8Array): string =>
  createHash('sha256').update(pixels).digest('hex')

/** A [0, 1] map as a uint8 plane, for the renderer to colour. */
export function mapPlane(map: Float32Array, width: number, height: number): MapPlane {
  const bytes = Buffer.alloc(map.length)
  map.forEach((v, i) => (bytes[i] = Math.round(Math.min(1, Math.max(0, v)) * 255)))
  return { width, height, channels: 1, data: bytes.toString('base64') }
}
