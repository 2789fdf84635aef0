/**
 * VAE — Kingma & Welling, "Auto-Encoding Variational Bayes", 2014 (arXiv:1312.6114): a Gaussian
 * encoder q(z|x) = N(μ, diag σ²), the reparameterisation z = μ + σ·ε, a decoder p(x|z), and the
 * negative ELBO: reconstruction + β·KL(q(z|x) ‖ N(0, I)) (β = 1 is the paper; β ≠ 1 is β-VAE,
 * Higgins et al. 2017).
 *
 * Conditional VAE — Sohn, Lee & Yan, "Learning Structured Output Representation using Deep
 * Conditional Generative Models", 2015: encoder and decoder both see the class label, so the
 * decoder models p(x | z, y) — the basis of the generative Bayes classifier.
 *
 * Decoders: Bernoulli (sigmoid outputs, summed binary cross-entropy, data in [0, 1]) or Gaussian
 * with fixed σ = 0.1 (summed squared error / 2σ²). Losses are per image, averaged over the batch.
 */
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { buildGenerator, buildHeads, labelPlanes, withLabels } from './networks'
import {
  adamFor,
  latentCodes,
  stackLosses,
  trainables,
  type GenerativeModel,
  type RecipeContext
} from './recipe'

export const gaussianSigma = 0.1

/** −log p(x | x̂) per image, summed over pixels. */
export function reconstructionLoss(
  x: tf.Tensor4D,
  decoded: tf.Tensor4D,
  decoder: 'bernoulli' | 'gaussian'
): tf.Tensor1D {
  return tf.tidy(() => {
    if (decoder === 'gaussian')
      return tf.div(tf.sum(tf.square(tf.sub(x, decoded)), [1, 2, 3]), 2 * gaussianSigma ** 2)
    const p = tf.clipByValue(decoded, 1e-6, 1 - 1e-6)
    const ll = tf.add(tf.mul(x, tf.log(p)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, p))))
    return tf.neg(tf.sum(ll, [1, 2, 3]))
  }) as tf.Tensor1D
}

/** KL(N(μ, σ²) ‖ N(0, 1)) per image, summed over latent dimensions. */
export function klDivergence(mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() =>
    tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mu)), tf.exp(logVar)), 1))
  ) as tf.Tensor1D
}

/** A VAE's networks as functions: what the generative Bayes classifier scores likelihoods with. */
export interface VaeParts {
  model: GenerativeModel
  /** q(z|x, y): latent mean and (bounded) log-variance. */
  encode(x: tf.Tensor4D, y: tf.Tensor1D, training: boolean): [tf.Tensor2D, tf.Tensor2D]
  /** The decoder's mean of p(x|z, y), in [0, 1]. */
  decode(z: tf.Tensor2D, y: tf.Tensor1D | null, training: boolean): tf.Tensor4D
}

export function buildVae(context: RecipeContext, conditional: boolean): GenerativeModel {
  return buildVaeParts(context, conditional).model
}

/**
 * The VAE's parts; `networks` replaces the convolutional encoder (image [+ label planes] →
 * [μ, log σ²]) and decoder (z [+ one-hot] → image in [0, 1]) — vae-graph's MLPs.
 */
export function buildVaeParts(
  context: RecipeContext,
  conditional: boolean,
  networks?: { encoder: tfl.LayersModel; decoder: tfl.LayersModel }
): VaeParts {
  const { shape, classes, config } = context
  const labelSize = conditional ? classes : 0
  const latent = config.latentDim
  const encoder =
    networks?.encoder ??
    buildHeads(shape, labelSize, config.width, [latent, latent], config.seed + 1)
  const decoder =
    networks?.decoder ??
    buildGenerator(shape, latent + labelSize, config.width, 'sigmoid', config.seed)
  const adam = adamFor(config, 'generator')
  const variables = trainables(encoder, decoder)

  const encode = (
    x: tf.Tensor4D,
    y: tf.Tensor1D,
    training: boolean
  ): [tf.Tensor2D, tf.Tensor2D] => {
    const input = conditional ? tf.concat([x, labelPlanes(y, classes, shape)], 3) : x
    const [mu, logVar] = encoder.apply(input, { training }) as [tf.Tensor2D, tf.Tensor2D]
    // Bounded log-variance keeps exp() finite in the first steps.
    return [mu, tf.clipByValue(logVar, -10, 10)]
  }
  const decode = (z: tf.Tensor2D, y: tf.Tensor1D | null, training: boolean): tf.Tensor4D =>
    decoder.apply(conditional ? withLabels(z, y!, classes) : z, { training }) as tf.Tensor4D

  const model: GenerativeModel = {
    normalisation: 'unit',
    conditional,
    nets: { encoder, decoder },
    optimizers: { vae: adam.optimizer },
    step(x, y, step) {
      let reconstruction: tf.Scalar | undefined
      let kl: tf.Scalar | undefined
      const loss = adam.optimizer.step(
        () =>
          tf.tidy(() => {
            const [mu, logVar] = encode(x, y, true)
            const eps = latentCodes(x.shape[0], latent, config.seed, step, 6)
            const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)) as tf.Tensor2D
            const rec = tf.mean(reconstructionLoss(x, decode(z, y, true), config.decoder))
            const klTerm = tf.mean(klDivergence(mu, logVar))
            reconstruction = tf.keep(rec.clone()) as tf.Scalar
            kl = tf.keep(klTerm.clone()) as tf.Scalar
            return tf.add(rec, tf.mul(klTerm, config.klWeight)) as tf.Scalar
          }),
        variables,
        adam.learningRate
      )
      return stackLosses({ loss, 'vae/reconstruction': reconstruction!, 'vae/kl': kl! })
    },
    generate(z, labels) {
      return tf.tidy(() => decode(z, labels, false))
    },
    encode(x, y) {
      return tf.tidy(() => encode(x, y, false)[0])
    },
    encodeDistribution(x, y) {
      return tf.tidy(() => encode(x, y, false))
    },
    reconstruct(x, y) {
      return tf.tidy(() => decode(encode(x, y, false)[0], y, false))
    }
  }
  return { model, encode, decode }
}
