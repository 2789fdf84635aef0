/**
 * VAE-GAN — Larsen, Sønderby, Larochelle & Winther, "Autoencoding beyond pixels using a learned
 * similarity metric", 2016 (arXiv:1512.09300). A VAE whose decoder is also a GAN generator, trained
 * on L = L_prior + L_llike^Dis + L_GAN, where the reconstruction term compares images in the
 * discriminator's feature space (its last hidden layer) instead of pixels:
 *   L_llike^Dis = ½‖Dis_l(x) − Dis_l(x̃)‖²,  x̃ = Dec(z), z ~ Enc(x)
 *   L_GAN = log Dis(x) + log(1 − Dis(x̃)) + log(1 − Dis(Dec(z_p))),  z_p ~ N(0, I)
 * Each network gets its part (the paper's Algorithm 1): Enc minimises β·L_prior + L_llike^Dis,
 * Dec minimises γ·L_llike^Dis − L_GAN (non-saturating), Dis maximises L_GAN. Data in [−1, 1].
 */
import * as tf from '@tensorflow/tfjs-core'
import { buildGenerator, buildHeads, buildHeadsWithFeatures } from './networks'
import { klDivergence } from './vae'
import {
  adamFor,
  bceTo,
  fromSymmetric,
  latentCodes,
  stackLosses,
  trainables,
  type GenerativeModel,
  type RecipeContext
} from './recipe'

export function buildVaeGan(context: RecipeContext): GenerativeModel {
  const { shape, config } = context
  const latent = config.latentDim
  const encoder = buildHeads(shape, 0, config.width, [latent, latent], config.seed + 2)
  const decoder = buildGenerator(shape, latent, config.width, 'tanh', config.seed)
  const discriminator = buildHeadsWithFeatures(shape, config.width, config.seed + 1)
  const e = adamFor(config, 'generator')
  const g = adamFor(config, 'generator')
  const d = adamFor(config, 'discriminator')
  const eVars = trainables(encoder)
  const gVars = trainables(decoder)
  const dVars = trainables(discriminator)
  const real = 1 - config.labelSmoothing

  const judge = (x: tf.Tensor4D): [tf.Tensor, tf.Tensor2D] =>
    discriminator.apply(x, { training: true }) as [tf.Tensor, tf.Tensor2D]

  /** Every term of the objective for one batch, from the current weights. */
  function terms(x: tf.Tensor4D, step: number) {
    const [mu, rawLogVar] = encoder.apply(x, { training: true }) as [tf.Tensor2D, tf.Tensor2D]
    const logVar = tf.clipByValue(rawLogVar, -10, 10) as tf.Tensor2D
    const eps = latentCodes(x.shape[0], latent, config.seed, step, 6)
    const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)) as tf.Tensor2D
    const reconstructed = decoder.apply(z, { training: true }) as tf.Tensor4D
    const sampled = decoder.apply(latentCodes(x.shape[0], latent, config.seed, step, 1), {
      training: true
    }) as tf.Tensor4D
    const [realLogit, realFeatures] = judge(x)
    const [recLogit, recFeatures] = judge(reconstructed)
    const [sampledLogit] = judge(sampled)
    return {
      prior: tf.mean(klDivergence(mu, logVar)) as tf.Scalar,
      llike: tf.mean(
        tf.mul(0.5, tf.sum(tf.square(tf.sub(realFeatures, recFeatures)), 1))
      ) as tf.Scalar,
      realLogit,
      recLogit,
      sampledLogit
    }
  }

  return {
    normalisation: 'symmetric',
    conditional: false,
    nets: { encoder, decoder, discriminator },
    optimizers: { encoder: e.optimizer, decoder: g.optimizer, discriminator: d.optimizer },
    step(x, _y, step) {
      const logged: Record<string, tf.Scalar> = {}
      // Encoder and decoder gradients come from the same weights, before either is updated.
      const encoderGrads = tf.variableGrads(() => {
        const t = terms(x, step)
        logged['vae/kl'] = tf.keep(t.prior.clone())
        logged['vae/feature_reconstruction'] = tf.keep(t.llike.clone())
        return tf.add(tf.mul(t.prior, config.klWeight), t.llike) as tf.Scalar
      }, eVars)
      const decoderGrads = tf.variableGrads(() => {
        const t = terms(x, step)
        const fool = tf.add(bceTo(t.recLogit, 1), bceTo(t.sampledLogit, 1))
        return tf.add(tf.mul(t.llike, config.featureWeight), fool) as tf.Scalar
      }, gVars)
      e.optimizer.apply(encoderGrads.grads, e.learningRate)
      g.optimizer.apply(decoderGrads.grads, g.learningRate)
      logged['loss'] = encoderGrads.value
      logged['g/loss'] = decoderGrads.value
      logged['d/loss'] = d.optimizer.step(
        () =>
          tf.tidy(() => {
            const t = terms(x, step)
            return tf.addN([
              bceTo(t.realLogit, real),
              bceTo(t.recLogit, 0),
              bceTo(t.sampledLogit, 0)
            ]) as tf.Scalar
          }),
        dVars,
        d.learningRate
      )
      return stackLosses(logged)
    },
    generate(z) {
      return tf.tidy(() => fromSymmetric(decoder.predict(z) as tf.Tensor4D))
    },
    encode(x) {
      return tf.tidy(() => (encoder.predict(x) as tf.Tensor2D[])[0])
    },
    encodeDistribution(x) {
      return tf.tidy(() => {
        const [mu, logVar] = encoder.predict(x) as tf.Tensor2D[]
        return [mu, tf.clipByValue(logVar, -10, 10) as tf.Tensor2D]
      })
    },
    reconstruct(x) {
      return tf.tidy(() => {
        const mu = (encoder.predict(x) as tf.Tensor2D[])[0]
        return fromSymmetric(decoder.predict(mu) as tf.Tensor4D)
      })
    }
  }
}
