/**
 * Saliency maps of one image for one class, in the engine worker (any backend):
 * - gradients — Simonyan, Vedaldi & Zisserman, "Deep Inside Convolutional Networks", 2014
 *   (arXiv:1312.6034): |∂S_c/∂x|, the largest over colour channels;
 * - SmoothGrad — Smilkov et al., "SmoothGrad: removing noise by adding noise", 2017
 *   (arXiv:1706.03825): that map averaged over n copies of x with Gaussian noise of σ = noise ·
 *   (max x − min x), seeded;
 * - Grad-CAM — Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via
 *   Gradient-based Localization", 2017 (arXiv:1610.02391): ReLU(Σ_k α_k A^k) with α_k the
 *   spatial mean of ∂S_c/∂A^k over the last convolutional block's maps A, upsampled bilinearly.
 * S_c is the class logit (pre-softmax, as the papers use), or log p(c|x) for the generative Bayes
 * classifier. The sanity check of Adebayo et al., "Sanity Checks for Saliency Maps", 2018
 * (arXiv:1810.03292) redraws every learnt weight and computes the same map again.
 */
import * as tf from '@tensorflow/tfjs-core'
import type { SaliencyMapValues, SaliencyTask, SaliencyTaskResult } from '../engineMessages'
import { loadTrainedModel } from '../export/trainedModel'
import { toInput } from '../export/modelInput'
import type { ClassScorer } from '../export/trainedModelTypes'
import { applyHead, gradCamTarget } from './gradCamTarget'
import { rankCorrelation, scaleToUnit } from './mapValues'
import { randomiseWeights } from './randomiseWeights'

/** SmoothGrad's noisy copies go through the network this many at a time. */
const noisyBatch = 16

export async function runSaliency(task: SaliencyTask): Promise<SaliencyTaskResult> {
  const trained = await loadTrainedModel(task.source)
  try {
    const scorer = trained.scorer
    if (!scorer)
      throw new Error(
        'Saliency maps need a classifier rebuilt from a run (its scores must be differentiable); ' +
          'explain the run the model was exported from.'
      )
    const x = toInput(task.pixels, 1, trained.shape, trained.preprocessing)
    try {
      const first = await saliencyMap(scorer, x, task, task.classIndex)
      const result: SaliencyTaskResult = {
        classes: trained.classes,
        predicted: argMax(first.values.probabilities),
        classIndex: first.classIndex,
        score: scorer.score,
        trained: first.values,
        ...(first.layer ? { layer: first.layer } : {})
      }
      if (task.sanityCheck) {
        await randomiseWeights(scorer.weights, task.seed)
        const random = await saliencyMap(scorer, x, task, first.classIndex)
        result.sanity = {
          ...random.values,
          rankCorrelation: rankCorrelation(first.values.map, random.values.map)
        }
      }
      return result
    } finally {
      x.dispose()
    }
  } finally {
    trained.dispose()
  }
}

interface ComputedMap {
  values: SaliencyMapValues
  classIndex: number
  layer?: SaliencyTaskResult['layer']
}

/** One map of `x` [1, h, w, c] for the class (default: the predicted one) with the scorer as it is now. */
export async function saliencyMap(
  scorer: ClassScorer,
  x: tf.Tensor4D,
  task: Pick<SaliencyTask, 'method' | 'samples' | 'noise' | 'seed'>,
  classIndex?: number
): Promise<ComputedMap> {
  const scores = tf.tidy(() => scorer.scores(x))
  const raw = (await scores.data()) as Float32Array
  const probabilities = (
    scorer.score === 'logit' ? await softmaxOf(scores) : Float32Array.from(raw, Math.exp)
  ) as Float32Array
  scores.dispose()
  const c = classIndex ?? argMax(raw)
  if (c >= raw.length)
    throw new Error(
      `The model has ${raw.length} classes (0–${raw.length - 1}); there is no class ${c}.`
    )
  let map: tf.Tensor2D
  let layer: ComputedMap['layer']
  if (task.method === 'gradcam') {
    const cam = gradCam(scorer, x, c)
    map = cam.map
    layer = cam.layer
  } else
    map = task.method === 'smoothgrad' ? smoothGrad(scorer, x, c, task) : gradientMap(scorer, x, c)
  const values = (await map.data()) as Float32Array
  map.dispose()
  return {
    values: {
      map: task.method === 'gradcam' ? maxScaled(values) : scaleToUnit(values),
      probabilities
    },
    classIndex: c,
    ...(layer ? { layer } : {})
  }
}

/** ∂S_c/∂x for a batch of images [n, h, w, ch]: each image's own gradient (scores are per image). */
function gradients(scorer: ClassScorer, x: tf.Tensor4D, c: number): tf.Tensor4D {
  const score = (input: tf.Tensor): tf.Scalar => classScore(scorer.scores(input as tf.Tensor4D), c)
  return tf.grad(score)(x) as tf.Tensor4D
}

/**
 * The sum over the batch of class c's score. A one-hot mask rather than a gather: gather's
 * gradient needs a kernel the wasm backend lacks.
 */
function classScore(scores: tf.Tensor2D, c: number): tf.Scalar {
  const mask = tf.oneHot(tf.fill([scores.shape[0]], c, 'int32') as tf.Tensor1D, scores.shape[1])
  return tf.sum(tf.mul(scores, mask)) as tf.Scalar
}

/** |gradient|, the largest over channels, per pixel: [n, h, w]. */
const magnitude = (g: tf.Tensor4D): tf.Tensor3D => tf.max(tf.abs(g), 3) as tf.Tensor3D

function gradientMap(scorer: ClassScorer, x: tf.Tensor4D, c: number): tf.Tensor2D {
  return tf.tidy(() => tf.squeeze(magnitude(gradients(scorer, x, c)), [0]) as tf.Tensor2D)
}

function smoothGrad(
  scorer: ClassScorer,
  x: tf.Tensor4D,
  c: number,
  task: Pick<SaliencyTask, 'samples' | 'noise' | 'seed'>
): tf.Tensor2D {
  const [, h, w, ch] = x.shape
  const sigma = tf.tidy(() => tf.mul(tf.sub(tf.max(x), tf.min(x)), task.noise))
  let sum = tf.zeros([h, w]) as tf.Tensor2D
  for (let from = 0; from < task.samples; from += noisyBatch) {
    const n = Math.min(noisyBatch, task.samples - from)
    const next = tf.tidy(() => {
      // One seed per batch of copies, so the copies replay exactly for the seed.
      const noise = tf.mul(
        tf.randomNormal([n, h, w, ch], 0, 1, 'float32', task.seed * 7919 + from),
        sigma
      )
      const noisy = tf.add(tf.tile(x, [n, 1, 1, 1]), noise) as tf.Tensor4D
      return tf.add(sum, tf.sum(magnitude(gradients(scorer, noisy, c)), 0)) as tf.Tensor2D
    })
    sum.dispose()
    sum = next
  }
  const mean = tf.div(sum, task.samples) as tf.Tensor2D
  tf.dispose([sum, sigma])
  return mean
}

function gradCam(
  scorer: ClassScorer,
  x: tf.Tensor4D,
  c: number
): { map: tf.Tensor2D; layer: NonNullable<ComputedMap['layer']> } {
  if (!scorer.network)
    throw new Error(
      'Grad-CAM needs a convolutional network; this classifier scores images with a generative ' +
        'model (the generative Bayes classifier). Use gradients or SmoothGrad instead.'
    )
  const target = gradCamTarget(scorer.network.model, scorer.network.output)
  const [, h, w] = x.shape
  let size = { height: 0, width: 0 }
  const map = tf.tidy(() => {
    const activations = target.features.apply(x, { training: false }) as tf.Tensor4D
    size = { height: activations.shape[1], width: activations.shape[2] }
    const score = (a: tf.Tensor): tf.Scalar =>
      classScore(applyHead(target.head, a) as tf.Tensor2D, c)
    const g = tf.grad(score)(activations)
    const alpha = tf.mean(g, [1, 2], true) // [1, 1, 1, k]
    const cam = tf.relu(tf.sum(tf.mul(activations, alpha), 3, true)) as tf.Tensor4D
    return tf.squeeze(tf.image.resizeBilinear(cam, [h, w]), [0, 3]) as tf.Tensor2D
  })
  return { map, layer: { name: target.description, ...size } }
}

/** Grad-CAM maps are already non-negative and smooth: scaled by their maximum, as in the paper. */
function maxScaled(values: Float32Array): Float32Array {
  let top = 0
  for (const v of values) top = Math.max(top, v)
  return top > 0 ? values.map((v) => v / top) : new Float32Array(values.length)
}

async function softmaxOf(scores: tf.Tensor): Promise<Float32Array> {
  const p = tf.softmax(scores)
  const values = (await p.data()) as Float32Array
  p.dispose()
  return values
}

function argMax(values: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i
  return best
}
