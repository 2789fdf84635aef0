/**
 * What every generative recipe provides to the training loop (engine/generative/generativeTrainer):
 * its networks and optimisers (checkpointed by name), one training step, and generation. The
 * loop owns epochs, snapshots, checkpoints and scores, so a recipe file is only its model and its
 * losses.
 */
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { GenerativeConfig, GenerativeRecipe } from '../../../../preload/contract'
import { createOptimizer, type TrainOptimizer } from '../../optimizers'
import type { BatchSource } from '../../batchSources'
import type { ImageShape } from './networks'

export interface RecipeContext {
  recipe: GenerativeRecipe
  shape: ImageShape
  classes: number
  config: GenerativeConfig
  /** Steps the whole run takes (instance noise fades over them). */
  totalSteps: number
}

export interface LabelledBatch {
  x: tf.Tensor4D
  y: tf.Tensor1D
}

export interface GenerativeModel {
  /** Pixel range the model trains on: [−1, 1] for tanh generators, [0, 1] for Bernoulli VAEs. */
  readonly normalisation: 'symmetric' | 'unit'
  /** Whether `generate` takes class labels. */
  readonly conditional: boolean
  /** Every network, by a stable name (the checkpoint's groups). */
  readonly nets: Record<string, tfl.LayersModel>
  readonly optimizers: Record<string, TrainOptimizer>
  /**
   * One training step on a batch (already in `normalisation`); returns its named losses, still
   * on the device (the loop reads them back in groups, so a GPU never waits for the CPU).
   * Semi-supervised models also get a batch of labelled images (`labelled`), drawn apart from `x`,
   * whose labels are hidden (−1) where the run's label budget left them out.
   */
  step(x: tf.Tensor4D, y: tf.Tensor1D, step: number, labelled?: LabelledBatch): StepLosses
  /** SGAN: `step` needs a labelled batch besides the (mostly unlabelled) one. */
  readonly semiSupervised?: boolean
  /**
   * Classifying recipes: per-class scores of images given in `normalisation` — logits (SGAN's
   * and ACGAN's discriminators) or log-likelihoods log p(x|c) (the generative Bayes classifier),
   * as `classScores` says. Caller disposes.
   */
  classify?(x: tf.Tensor4D): tf.Tensor2D
  readonly classScores?: 'logits' | 'log-likelihood'
  /** Images in [0, 1] from latent codes (and labels, for conditional models). Caller disposes. */
  generate(z: tf.Tensor2D, labels: tf.Tensor1D | null): tf.Tensor4D
  /** VAEs: the latent mean of images given in `normalisation`. */
  encode?(x: tf.Tensor4D, y: tf.Tensor1D): tf.Tensor2D
  /** VAEs: q(z|x)'s mean and (bounded) log-variance — its KL per dimension ranks traversals. */
  encodeDistribution?(x: tf.Tensor4D, y: tf.Tensor1D): [tf.Tensor2D, tf.Tensor2D]
  /** VAEs: reconstructions in [0, 1] of images given in `normalisation`. */
  reconstruct?(x: tf.Tensor4D, y: tf.Tensor1D): tf.Tensor4D
  /**
   * State learnt after training rather than by gradient (vae-graph's labelled latent bank): saved
   * in the checkpoint beside the weights (as `buffers/<name>`) and restored with them.
   */
  readonly buffers?: Record<string, tf.Tensor>
  /**
   * Runs once when training completes, before the final checkpoint: vae-graph spreads the
   * budget's labels over its latent graph. `labelled`: the training images whose label it may use.
   */
  afterTraining?(source: BatchSource, labelled: readonly number[]): Promise<AfterTraining>
}

/** Labels a graph spread over the training split: what a self-trained classifier learns from. */
export interface PseudoLabels {
  method: 'poisson' | 'laplace'
  /** Dataset indices of the training images, and each one's propagated class and margin. */
  indices: number[]
  labels: number[]
  /** Score margin over the runner-up class (null: a labelled image, always kept). */
  margins: (number | null)[]
  /** The budget's labelled images (their label is the true one). */
  labelled: number[]
}

export interface AfterTraining {
  pseudoLabels?: PseudoLabels
  /** Timings and sizes worth recording with the run (graph/knn_seconds, …). */
  metrics: Record<string, number>
}

/** A seed for one purpose at one step, so every random draw of a run replays from its seed. */
export const stepSeed = (seed: number, step: number, purpose: number): number =>
  (seed * 1_000_003 + step * 7919 + purpose * 104_729) % 2 ** 31

/** Standard normal latent codes, reproducible for (seed, step, purpose). */
export function latentCodes(
  n: number,
  latentDim: number,
  seed: number,
  step: number,
  purpose: number
): tf.Tensor2D {
  return tf.randomNormal([n, latentDim], 0, 1, 'float32', stepSeed(seed, step, purpose))
}

/** Adam for a generator-side network (the base rate) or a discriminator (the TTUR rate). */
export function adamFor(
  config: GenerativeConfig,
  side: 'generator' | 'discriminator'
): {
  optimizer: TrainOptimizer
  learningRate: number
} {
  const learningRate = side === 'generator' ? config.learningRate : config.discriminatorLearningRate
  return {
    optimizer: createOptimizer({
      optimizer: 'adam',
      learningRate,
      weightDecay: 0,
      momentum: 0,
      beta1: config.beta1,
      beta2: config.beta2
    }),
    learningRate
  }
}

/** Trainable variables of some networks, in a stable order. */
export const trainables = (...nets: tfl.LayersModel[]): tf.Variable[] =>
  nets.flatMap((net) => net.trainableWeights.map((w) => w.read() as tf.Variable))

/** Mean sigmoid cross-entropy of logits against a constant target (1 − smoothing for real). */
export function bceTo(logits: tf.Tensor, target: number): tf.Scalar {
  return tf.tidy(
    () =>
      tf.losses.sigmoidCrossEntropy(
        tf.fill(logits.shape, target),
        logits,
        undefined,
        0,
        tf.Reduction.MEAN
      ) as tf.Scalar
  )
}

/** Mean softmax cross-entropy of class logits against integer labels. */
export function classLoss(logits: tf.Tensor, labels: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.tidy(
    () =>
      tf.losses.softmaxCrossEntropy(
        tf.oneHot(labels, classes),
        logits as tf.Tensor2D,
        undefined,
        0,
        tf.Reduction.MEAN
      ) as tf.Scalar
  )
}

/**
 * Instance noise (Sønderby et al. 2016): Gaussian noise on D's inputs whose σ fades linearly to 0,
 * so real and fake distributions overlap early on. Identity when the setting is 0.
 */
export function withInstanceNoise(
  x: tf.Tensor4D,
  context: RecipeContext,
  step: number,
  purpose: number
): tf.Tensor4D {
  const sigma = context.config.instanceNoise * Math.max(0, 1 - step / context.totalSteps)
  if (sigma <= 0) return x
  return tf.tidy(() =>
    tf.add(
      x,
      tf.randomNormal(x.shape, 0, sigma, 'float32', stepSeed(context.config.seed, step, purpose))
    )
  )
}

/** Maps a tanh generator's [−1, 1] output to [0, 1]. */
export const fromSymmetric = (x: tf.Tensor4D): tf.Tensor4D =>
  tf.tidy(() => tf.clipByValue(tf.add(tf.mul(x, 0.5), 0.5), 0, 1) as tf.Tensor4D)

/** A step's named losses as one small tensor on the device (the caller disposes `values`). */
export interface StepLosses {
  names: string[]
  values: tf.Tensor1D
}

/** Stacks scalar losses into one tensor (and disposes them), to be read back with others. */
export function stackLosses(named: Record<string, tf.Scalar>): StepLosses {
  const names = Object.keys(named)
  const values = tf.tidy(() => tf.stack(names.map((n) => named[n])) as tf.Tensor1D)
  tf.dispose(Object.values(named))
  return { names, values }
}

/** Reads a step's losses now (tests and one-off steps; the training loop reads them in groups). */
export async function readStepLosses(losses: StepLosses): Promise<Record<string, number>> {
  const values = await losses.values.data()
  losses.values.dispose()
  return Object.fromEntries(losses.names.map((n, i) => [n, values[i]]))
}
