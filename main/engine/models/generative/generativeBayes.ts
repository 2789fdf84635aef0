/**
 * Generative Bayes classifier: a class-conditional VAE (Sohn et al. 2015, as in vae.ts) learns
 * p(x|c) for every class, and an image is classified by Bayes' rule,
 *   ĉ = argmax_c log p(x|c) + log p(c),
 * with log p(x|c) estimated by the importance-weighted bound of Burda, Grosse & Salakhutdinov,
 * "Importance Weighted Autoencoders", 2016 (arXiv:1509.00519):
 *   log p(x|c) ≥ log (1/K) Σ_k p(x|z_k, c) p(z_k) / q(z_k|x, c),  z_k ~ q(z|x, c),
 * which is the ELBO for K = 1 and tightens as K grows. The same noise is used for every class
 * (common random numbers), so the comparison between classes is not blurred by sampling noise.
 * The class prior and the out-of-distribution threshold live with the evaluation
 * (engine/generative/classifyImages.ts); this file is the likelihood.
 */
import * as tf from '@tensorflow/tfjs-core'
import type { GenerativeModel, RecipeContext } from './recipe'
import { latentCodes } from './recipe'
import { buildVaeParts, gaussianSigma, reconstructionLoss, type VaeParts } from './vae'

const logTwoPi = Math.log(2 * Math.PI)

/** The K-sample importance-weighted bound on log p(x|y) per image, in nats. `eps`: [K, n, d]. */
export function importanceWeightedBound(
  parts: Pick<VaeParts, 'encode' | 'decode'>,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  eps: tf.Tensor3D,
  decoder: 'bernoulli' | 'gaussian'
): tf.Tensor1D {
  return tf.tidy(() => {
    const [k, n, d] = eps.shape
    const [mu, logVar] = parts.encode(x, y, false)
    const z = tf.add(
      tf.expandDims(mu, 0),
      tf.mul(tf.expandDims(tf.exp(tf.mul(logVar, 0.5)), 0), eps)
    )
    const flatZ = tf.reshape(z, [k * n, d]) as tf.Tensor2D
    const xs = tf.tile(x, [k, 1, 1, 1]) as tf.Tensor4D
    const ys = tf.tile(y, [k]) as tf.Tensor1D
    let logPx = tf.neg(reconstructionLoss(xs, parts.decode(flatZ, ys, false), decoder))
    if (decoder === 'gaussian') {
      // The Gaussian's normaliser, so the bound is a log-density (it matters for OOD thresholds).
      const pixels = x.shape[1] * x.shape[2] * x.shape[3]
      logPx = tf.sub(logPx, (pixels / 2) * Math.log(2 * Math.PI * gaussianSigma ** 2))
    }
    const logPz = tf.mul(-0.5, tf.add(tf.sum(tf.square(flatZ), 1), d * logTwoPi))
    const logQ = tf.mul(
      -0.5,
      tf.add(
        tf.sum(tf.add(tf.square(tf.reshape(eps, [k * n, d])), tf.tile(logVar, [k, 1])), 1),
        d * logTwoPi
      )
    )
    const logW = tf.reshape(tf.sub(tf.add(logPx, logPz), logQ), [k, n])
    return tf.sub(tf.logSumExp(logW, 0), Math.log(k)) as tf.Tensor1D
  })
}

export function buildGenerativeBayes(context: RecipeContext): GenerativeModel {
  const parts = buildVaeParts(context, true)
  const { config, classes } = context
  return {
    ...parts.model,
    classScores: 'log-likelihood',
    classify(x) {
      return tf.tidy(() => {
        const n = x.shape[0]
        const k = config.importanceSamples
        const eps = tf.reshape(latentCodes(k * n, config.latentDim, config.seed, 0, 31), [
          k,
          n,
          config.latentDim
        ]) as tf.Tensor3D
        const perClass = Array.from({ length: classes }, (_, c) =>
          importanceWeightedBound(parts, x, tf.fill([n], c, 'int32'), eps, config.decoder)
        )
        return tf.stack(perClass, 1) as tf.Tensor2D
      })
    }
  }
}
