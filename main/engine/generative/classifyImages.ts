/**
 * Generative models as classifiers, evaluated like any classifier: per-class scores of images
 * (a discriminator's logits, or a generative Bayes classifier's log p(x|c)), turned into
 * posteriors, predictions and a loss; for likelihood models also the out-of-distribution check
 * ("no class explains this image"), with its threshold calibrated on validation images.
 */
import * as tf from '@tensorflow/tfjs-core'
import type { OutOfDistribution } from '../../../preload/contract'
import type { GenerativeModel } from '../models/generative/recipe'
import type { BatchSource } from '../batchSources'
import type { EvaluatedImages } from '../engineMessages'

const evaluationBatch = 128

/** The model's class scores for images, row-major [n × classes]. */
export async function classScores(
  model: GenerativeModel,
  source: BatchSource,
  indices: readonly number[],
  classes: number
): Promise<Float32Array> {
  if (!model.classify) throw new Error('This recipe does not classify.')
  const out = new Float32Array(indices.length * classes)
  for (let start = 0; start < indices.length; start += evaluationBatch) {
    const batch = source.batch(indices.slice(start, start + evaluationBatch), -1)
    const scores = tf.tidy(() => model.classify!(batch.x))
    out.set(await scores.data(), start * classes)
    tf.dispose([batch.x, batch.y, scores])
  }
  return out
}

/**
 * Bayes' rule on one image's scores: log p(c|x) = s_c + log p(c) − log Σ_c' exp(s_c' + log p(c')),
 * where s is log p(x|c) (likelihood models) or logits (then the prior is uniform and cancels).
 */
export function logPosterior(scores: ArrayLike<number>, logPrior: readonly number[]): number[] {
  const joint = Array.from({ length: logPrior.length }, (_, c) => scores[c] + logPrior[c])
  const top = Math.max(...joint)
  const logEvidence = top + Math.log(joint.reduce((sum, v) => sum + Math.exp(v - top), 0))
  return joint.map((v) => v - logEvidence)
}

/** Log of class frequencies among labelled training images (add-one smoothed). */
export function logClassPrior(labels: readonly number[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(1)
  for (const label of labels) if (label >= 0 && label < classes) counts[label]++
  const total = counts.reduce((a, b) => a + b, 0)
  return counts.map((c) => Math.log(c / total))
}

/** Predictions, confidences and the mean cross-entropy of the true labels. */
export function predictFromScores(
  scores: Float32Array,
  indices: readonly number[],
  truth: readonly number[],
  logPrior: readonly number[]
): EvaluatedImages & { accuracy: number } {
  const classes = logPrior.length
  const predicted: number[] = []
  const confidence: number[] = []
  let loss = 0
  let correct = 0
  indices.forEach((_, i) => {
    const post = logPosterior(scores.subarray(i * classes, (i + 1) * classes), logPrior)
    let best = 0
    for (let c = 1; c < classes; c++) if (post[c] > post[best]) best = c
    predicted.push(best)
    confidence.push(Math.exp(post[best]))
    loss -= post[truth[i]]
    if (best === truth[i]) correct++
  })
  const n = Math.max(1, indices.length)
  return { indices: [...indices], predicted, confidence, loss: loss / n, accuracy: correct / n }
}

/** Each image's best class log-likelihood, max_c log p(x|c). */
export function bestLogLikelihood(scores: Float32Array, classes: number): number[] {
  const out: number[] = []
  for (let i = 0; i < scores.length / classes; i++) {
    let best = -Infinity
    for (let c = 0; c < classes; c++) best = Math.max(best, scores[i * classes + c])
    out.push(best)
  }
  return out
}

/** The q-quantile of values (linear interpolation, as numpy's default). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('No values to take a quantile of.')
  const sorted = [...values].sort((a, b) => a - b)
  const at = q * (sorted.length - 1)
  const low = Math.floor(at)
  const high = Math.min(sorted.length - 1, low + 1)
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low)
}

/**
 * Flags evaluated images whose best class likelihood is below the threshold that lets only the
 * `q` share of calibration (validation) images through as out-of-distribution.
 */
export function outOfDistribution(
  calibration: readonly number[],
  evaluated: readonly number[],
  indices: readonly number[],
  q: number
): OutOfDistribution {
  const threshold = quantile(calibration, q)
  const flagged = evaluated
    .map((value, i) => ({ value, index: indices[i] }))
    .filter((p) => p.value < threshold)
    .sort((a, b) => a.value - b.value)
  return {
    threshold,
    quantile: q,
    calibrationImages: calibration.length,
    flagged: flagged.length,
    flaggedIndices: flagged.slice(0, 1000).map((p) => p.index)
  }
}

/**
 * The full evaluation of a classifying generative model on `evalIndices`. Likelihood models use
 * the labelled training images' class prior, and calibrate the OOD threshold on `calibration`.
 */
export async function evaluateGenerativeClassifier(
  model: GenerativeModel,
  source: BatchSource,
  options: {
    classes: number
    evalIndices: readonly number[]
    labelledIndices: readonly number[]
    calibrationIndices: readonly number[]
    oodQuantile: number
  }
): Promise<EvaluatedImages & { accuracy: number }> {
  const { classes, evalIndices } = options
  const likelihood = model.classScores === 'log-likelihood'
  const logPrior = likelihood
    ? logClassPrior(options.labelledIndices.map(source.labelOf), classes)
    : new Array<number>(classes).fill(0)
  const scores = await classScores(model, source, evalIndices, classes)
  const truth = evalIndices.map(source.labelOf)
  const result = predictFromScores(scores, evalIndices, truth, logPrior)
  if (!likelihood || options.calibrationIndices.length === 0) return result
  const calibration = bestLogLikelihood(
    await classScores(model, source, options.calibrationIndices, classes),
    classes
  )
  return {
    ...result,
    outOfDistribution: outOfDistribution(
      calibration,
      bestLogLikelihood(scores, classes),
      evalIndices,
      options.oodQuantile
    )
  }
}
