/**
 * Short jobs on a saved generative model, run in the engine worker between training steps:
 * samples on demand (deterministic for a seed), interpolations, scores, VAE reconstructions and
 * latent maps. Each rebuilds the model from the run's config and loads its latest checkpoint
 * (savedModel.ts), and is one entry of the worker's task table (taskHandlers.ts).
 */
import * as tf from '@tensorflow/tfjs-core'
import { EigenvalueDecomposition, Matrix } from 'ml-matrix'
import { latentCodes, type GenerativeModel } from '../models/generative/recipe'
import { readCachedImages } from '../../datasets/imageCache'
import { normalise } from '../../datasets/normalize'
import type { PixelBatch } from '../../datasets/pixelImages'
import type {
  DatasetData,
  GenerateTask,
  LatentMap,
  LatentMapTask,
  ReconstructTask,
  ScoreTask,
  ScoresCore
} from '../engineMessages'
import { Evaluator } from './generatorScoring'
import { toPixels } from './sampleImages'
import { withSavedModel } from './savedModel'

/** Samples from independent codes, or along the straight line between two codes. */
export const generateSamples = (task: GenerateTask): Promise<PixelBatch> =>
  withSavedModel(task.model, (model) => generate(model, task))

/** The generator measured by the task's classifier run (FD, classifier score, …). */
export const scoreGenerator = (task: ScoreTask): Promise<ScoresCore> =>
  withSavedModel(task.model, async (model) => {
    const evaluator = new Evaluator(task.evaluator, task.data)
    try {
      const { latentDim, scoreSamples, seed } = task.model.config
      return await evaluator.score(model, latentDim, scoreSamples, seed)
    } finally {
      evaluator.dispose()
    }
  })

export const reconstructImages = (task: ReconstructTask): Promise<PixelBatch> =>
  withSavedModel(task.model, (model) => reconstructions(model, task))

export const mapLatents = (task: LatentMapTask): Promise<LatentMap> =>
  withSavedModel(task.model, (model) => latentMap(model, task))

/** n images from independent codes, or along the straight line between two codes. */
async function generate(model: GenerativeModel, task: GenerateTask): Promise<PixelBatch> {
  const latentDim = task.model.config.latentDim
  const images = tf.tidy(() => {
    let z: tf.Tensor2D
    if (task.interpolate) {
      const ends = latentCodes(2, latentDim, task.seed, 0, 55)
      const t = tf.reshape(tf.linspace(0, 1, task.n), [task.n, 1])
      const [a, b] = tf.split(ends, 2, 0)
      z = tf.add(tf.mul(tf.sub(1, t), a), tf.mul(t, b)) as tf.Tensor2D
    } else z = latentCodes(task.n, latentDim, task.seed, 0, 55)
    const labels = model.conditional ? tf.tensor1d(task.labels ?? [], 'int32') : null
    return model.generate(z, labels)
  })
  const batch = await toPixels(images)
  images.dispose()
  return batch
}

/** The given images, read from the cache alone, in the model's pixel range, with their labels. */
export async function cachedBatch(
  data: DatasetData,
  indices: number[],
  normalisation: GenerativeModel['normalisation']
): Promise<{ x: tf.Tensor4D; y: tf.Tensor1D }> {
  const { height, width, channels } = data
  const raw = await readCachedImages(data.cacheFile, indices, height * width * channels)
  return {
    x: tf.tensor4d(normalise(raw, channels, normalisation), [
      indices.length,
      height,
      width,
      channels
    ]),
    y: tf.tensor1d(
      indices.map((i) => data.labels[i]),
      'int32'
    )
  }
}

/** Originals and reconstructions, interleaved: original 1, reconstruction 1, original 2, … */
async function reconstructions(model: GenerativeModel, task: ReconstructTask): Promise<PixelBatch> {
  if (!model.reconstruct) throw new Error('Only VAE recipes reconstruct images.')
  const batch = await cachedBatch(task.data, task.indices, model.normalisation)
  const pairs = tf.tidy(() => {
    const originals =
      model.normalisation === 'symmetric' ? tf.add(tf.mul(batch.x, 0.5), 0.5) : batch.x
    const rebuilt = model.reconstruct!(batch.x, batch.y)
    const [, h, w, c] = batch.x.shape
    return tf.reshape(tf.stack([originals, rebuilt], 1), [-1, h, w, c]) as tf.Tensor4D
  })
  tf.dispose([batch.x, batch.y])
  const pixels = await toPixels(pairs)
  pairs.dispose()
  return pixels
}

/** Latent means in 2-D: the latent itself when it is 2-D, else its first two principal components. */
async function latentMap(model: GenerativeModel, task: LatentMapTask): Promise<LatentMap> {
  if (!model.encode) throw new Error('Only VAE recipes have a latent map.')
  const rows: number[][] = []
  for (let from = 0; from < task.indices.length; from += 500) {
    const part = task.indices.slice(from, from + 500)
    const batch = await cachedBatch(task.data, part, model.normalisation)
    const mu = model.encode(batch.x, batch.y)
    rows.push(...((await mu.array()) as number[][]))
    tf.dispose([batch.x, batch.y, mu])
  }
  if (rows[0]?.length === 2) return { points: rows.map((r) => [r[0], r[1]]), projection: 'latent' }
  return { points: principalComponents(rows), projection: 'pca' }
}

/** Projection onto the two leading eigenvectors of the covariance (ml-matrix's symmetric solver). */
export function principalComponents(rows: number[][]): [number, number][] {
  const data = new Matrix(rows)
  const mean = data.mean('column')
  data.subRowVector(mean)
  const covariance = data
    .transpose()
    .mmul(data)
    .div(Math.max(1, rows.length - 1))
  const eig = new EigenvalueDecomposition(covariance, { assumeSymmetric: true })
  const order = eig.realEigenvalues.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0])
  const basis = eig.eigenvectorMatrix
  const first = basis.getColumn(order[0][1])
  const second = basis.getColumn(order[1][1])
  return data.to2DArray().map((r) => [dot(r, first), dot(r, second)] as [number, number])
}

const dot = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i], 0)
