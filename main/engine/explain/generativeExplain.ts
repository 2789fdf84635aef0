/**
 * Explanations of generative models, in the engine worker:
 * - latent traversals: one row per latent dimension, the base code moved along it, rows ranked
 *   by the mean KL(q(z_d|x) ‖ N(0, 1)) over test images — a dimension the encoder does not use
 *   carries no information about x and has KL near 0 (Higgins et al. 2017, β-VAE, rank by it);
 * - counterfactuals: an image encoded once by a conditional VAE as its class, its latent mean
 *   decoded under every class — only the class input changes — and judged by a classifier;
 * - class prototypes: a conditional generator's samples a classifier is surest of, per class.
 */
import * as tf from '@tensorflow/tfjs-core'
import type {
  CounterfactualTask,
  CounterfactualTaskResult,
  PrototypeTask,
  PrototypeTaskResult,
  TraversalTask,
  TraversalTaskResult
} from '../engineMessages'
import { normalise } from '../../datasets/normalize'
import type { PixelBatch } from '../../datasets/pixelImages'
import { loadTrainedModel } from '../export/trainedModel'
import { cachedBatch } from '../generative/generativeTasks'
import { toPixels } from '../generative/sampleImages'
import { withSavedModel } from '../generative/savedModel'
import { latentCodes, type GenerativeModel } from '../models/generative/recipe'

const klBatch = 250

export const runTraversal = (task: TraversalTask): Promise<TraversalTaskResult> =>
  withSavedModel(task.model, async (model) => {
    if (!model.encodeDistribution || !model.encode)
      throw new Error('Latent traversals need an encoder: vae, cvae, vaegan or gen-bayes runs.')
    const latentDim = task.model.config.latentDim
    const klPerDim = await meanKlPerDim(model, task)
    const dims = klPerDim
      .map((kl, d) => [kl, d])
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, Math.min(task.dims, latentDim))
      .map(([, d]) => d)
    const offsets = Array.from(
      { length: task.steps },
      (_, i) => -task.range + (2 * task.range * i) / (task.steps - 1)
    )
    const base = task.pixels
      ? tf.tidy(() => model.encode!(imageTensor(task.pixels!, task.data, model), classTensor(task)))
      : latentCodes(1, latentDim, task.seed, 0, 91)
    const images = tf.tidy(() => {
      const shift = new Float32Array(dims.length * offsets.length * latentDim)
      dims.forEach((d, row) =>
        offsets.forEach((v, col) => (shift[(row * offsets.length + col) * latentDim + d] = v))
      )
      const z = tf.add(base, tf.tensor2d(shift, [dims.length * offsets.length, latentDim]))
      const n = dims.length * offsets.length
      return model.generate(
        z as tf.Tensor2D,
        model.conditional ? tf.fill([n], task.classIndex ?? 0, 'int32') : null
      )
    })
    base.dispose()
    const pixels = await toPixels(images)
    images.dispose()
    return { klPerDim, dims, offsets, images: pixels }
  })

/** Mean KL(q(z_d|x) ‖ N(0, 1)) per dimension over the task's test images, each with its class. */
async function meanKlPerDim(model: GenerativeModel, task: TraversalTask): Promise<number[]> {
  const sum = new Float64Array(task.model.config.latentDim)
  for (let from = 0; from < task.klIndices.length; from += klBatch) {
    const part = task.klIndices.slice(from, from + klBatch)
    const { x, y } = await cachedBatch(task.data, part, model.normalisation)
    const kl = tf.tidy(() => {
      // Labels hidden by a label budget (−1) still encode: class 0 stands in for them.
      const [mu, logVar] = model.encodeDistribution!(
        x,
        tf.maximum(y, tf.scalar(0, 'int32')) as tf.Tensor1D
      )
      const perDim = tf.mul(0.5, tf.sub(tf.add(tf.square(mu), tf.exp(logVar)), tf.add(logVar, 1)))
      return tf.sum(perDim, 0)
    })
    const values = await kl.data()
    values.forEach((v, d) => (sum[d] += v))
    tf.dispose([x, y, kl])
  }
  const n = Math.max(1, task.klIndices.length)
  return Array.from(sum, (v) => v / n)
}

/** One uint8 image (the dataset's size) in the model's pixel range, [1, h, w, c]. */
function imageTensor(
  pixels: Uint8Array,
  shape: { height: number; width: number; channels: number },
  model: GenerativeModel
): tf.Tensor4D {
  const { height, width, channels } = shape
  return tf.tensor4d(normalise(pixels, channels, model.normalisation), [1, height, width, channels])
}

const classTensor = (task: { classIndex: number | null }): tf.Tensor1D =>
  tf.tensor1d([task.classIndex ?? 0], 'int32')

/**
 * The image's latent mean under `sourceClass`, decoded under every class: [classes, h, w, c] in
 * [0, 1]. The code is the encoder's mean (no sampling), so the decoded images differ only by the
 * class input, and the one at `sourceClass` is the model's reconstruction.
 */
export function counterfactualImages(
  model: GenerativeModel,
  x: tf.Tensor4D,
  sourceClass: number,
  classes: number
): { decoded: tf.Tensor4D; code: tf.Tensor2D } {
  if (!model.conditional || !model.encode)
    throw new Error(
      'Counterfactuals need a conditional VAE (recipes cvae or gen-bayes): it decodes one code under every class.'
    )
  return tf.tidy(() => {
    const code = model.encode!(x, tf.tensor1d([sourceClass], 'int32'))
    const decoded = model.generate(
      tf.tile(code, [classes, 1]) as tf.Tensor2D,
      tf.range(0, classes, 1, 'int32') as tf.Tensor1D
    )
    return { decoded, code }
  })
}

export const runCounterfactual = (task: CounterfactualTask): Promise<CounterfactualTaskResult> =>
  withSavedModel(task.model, async (model) => {
    const { classes, height, width, channels } = task.model.shape
    const x = imageTensor(task.pixels, { height, width, channels }, model)
    const { decoded, code } = counterfactualImages(model, x, task.sourceClass, classes)
    const batch = await toPixels(decoded)
    tf.dispose([x, decoded, code])
    const classifier = await loadTrainedModel(task.classifier)
    try {
      const predict = classifierOf(classifier)
      const judged = await predict(batch.pixels, classes)
      const original = await predict(task.pixels, 1)
      return {
        decoded: batch,
        probabilities: judged.probabilities,
        originalProbabilities: original.probabilities
      }
    } finally {
      classifier.dispose()
    }
  })

export const runPrototypes = (task: PrototypeTask): Promise<PrototypeTaskResult> =>
  withSavedModel(task.model, async (model) => {
    if (!model.conditional)
      throw new Error(
        'Class prototypes need a conditional generator (cgan, acgan, cvae or gen-bayes).'
      )
    const { classes, height, width, channels } = task.model.shape
    const size = height * width * channels
    const kept = new Uint8Array(classes * task.perClass * size)
    const confidence: number[] = []
    const classifier = await loadTrainedModel(task.classifier)
    try {
      const predict = classifierOf(classifier)
      for (let c = 0; c < classes; c++) {
        const images = tf.tidy(() =>
          model.generate(
            latentCodes(task.candidates, task.model.config.latentDim, task.seed, c, 93),
            tf.fill([task.candidates], c, 'int32') as tf.Tensor1D
          )
        )
        const batch: PixelBatch = await toPixels(images)
        images.dispose()
        const { probabilities } = await predict(batch.pixels, task.candidates)
        const best = Array.from({ length: task.candidates }, (_, i) => i)
          .sort((a, b) => probabilities[b * classes + c] - probabilities[a * classes + c])
          .slice(0, task.perClass)
        best.forEach((i, k) => {
          kept.set(batch.pixels.subarray(i * size, (i + 1) * size), (c * task.perClass + k) * size)
          confidence.push(probabilities[i * classes + c])
        })
      }
    } finally {
      classifier.dispose()
    }
    return {
      images: { pixels: kept, count: classes * task.perClass, height, width, channels },
      confidence
    }
  })

function classifierOf(
  trained: Awaited<ReturnType<typeof loadTrainedModel>>
): NonNullable<typeof trained.predict> {
  if (!trained.predict)
    throw new Error('The chosen classifier run does not classify images; pick a classifier run.')
  return trained.predict
}
