/**
 * WGAN-GP — Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville, "Improved Training of Wasserstein
 * GANs", 2017 (arXiv:1704.00028). The critic D estimates the Wasserstein-1 distance:
 * L_D = E[D(G(z))] − E[D(x)] + λ·E[(‖∇x̂ D(x̂)‖₂ − 1)²] with x̂ on random lines between real and
 * fake images; G minimises −E[D(G(z))]. The critic takes `criticSteps` steps (each on its own real
 * batch) per generator step, with Adam(β1 = 0, β2 = 0.9) as in the paper, and has no batch norm
 * (the penalty is per image).
 *
 * The penalty differentiates a gradient, so training needs second-order gradients; see
 * engine/generative/secondOrderGradients.ts.
 */
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { registerSecondOrderGradients } from '../../generative/secondOrderGradients'
import { buildGenerator, buildHeads } from './networks'
import {
  adamFor,
  fromSymmetric,
  latentCodes,
  stackLosses,
  stepSeed,
  trainables,
  type GenerativeModel,
  type RecipeContext
} from './recipe'

/** E[(‖∇x̂ D(x̂)‖₂ − 1)²], x̂ = α·real + (1 − α)·fake with α ~ U(0, 1) per image. */
export function gradientPenalty(
  critic: tfl.LayersModel,
  real: tf.Tensor4D,
  fake: tf.Tensor4D,
  seed: number
): tf.Scalar {
  return tf.tidy(() => {
    const alpha = tf.randomUniform([real.shape[0], 1, 1, 1], 0, 1, 'float32', seed)
    const between = tf.add(tf.mul(alpha, real), tf.mul(tf.sub(1, alpha), fake)) as tf.Tensor4D
    const grad = tf.grad((x: tf.Tensor) =>
      tf.sum(critic.apply(x, { training: true }) as tf.Tensor)
    )(between)
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(grad), [1, 2, 3]), 1e-12))
    return tf.mean(tf.square(tf.sub(norm, 1))) as tf.Scalar
  })
}

export function buildWganGp(context: RecipeContext): GenerativeModel {
  registerSecondOrderGradients()
  const { shape, config } = context
  const generator = buildGenerator(shape, config.latentDim, config.width, 'tanh', config.seed)
  const critic = buildHeads(shape, 0, config.width, [1], config.seed + 1)
  const g = adamFor(config, 'generator')
  const d = adamFor(config, 'discriminator')
  const gVars = trainables(generator)
  const dVars = trainables(critic)
  const score = (x: tf.Tensor4D): tf.Tensor => critic.apply(x, { training: true }) as tf.Tensor

  return {
    normalisation: 'symmetric',
    conditional: false,
    nets: { generator, critic },
    optimizers: { generator: g.optimizer, critic: d.optimizer },
    step(x, _y, step) {
      const n = x.shape[0]
      const z = latentCodes(n, config.latentDim, config.seed, step, 1)
      // The critic's step needs fakes but no gradient through the generator.
      const fake = tf.tidy(() => generator.apply(z, { training: true }) as tf.Tensor4D)
      let penalty: tf.Scalar | undefined
      let distance: tf.Scalar | undefined
      const dLoss = d.optimizer.step(
        () =>
          tf.tidy(() => {
            const gap = tf.sub(tf.mean(score(x)), tf.mean(score(fake))) as tf.Scalar
            const gp = gradientPenalty(critic, x, fake, stepSeed(config.seed, step, 4))
            penalty = tf.keep(gp.clone())
            distance = tf.keep(gap.clone())
            return tf.add(tf.neg(gap), tf.mul(gp, config.gradientPenalty)) as tf.Scalar
          }),
        dVars,
        d.learningRate
      )
      const losses: Record<string, tf.Scalar> = {
        'd/loss': dLoss,
        'd/gradient_penalty': penalty!,
        'd/wasserstein': distance!
      }
      if ((step + 1) % config.criticSteps === 0) {
        const z2 = latentCodes(n, config.latentDim, config.seed, step, 5)
        losses['g/loss'] = g.optimizer.step(
          () =>
            tf.tidy(
              () =>
                tf.neg(
                  tf.mean(score(generator.apply(z2, { training: true }) as tf.Tensor4D))
                ) as tf.Scalar
            ),
          gVars,
          g.learningRate
        )
        z2.dispose()
      }
      tf.dispose([z, fake])
      // The generator steps every criticSteps steps; between them the training loop holds its
      // curve at the last value (a loss a step does not compute keeps its last value).
      return stackLosses(losses)
    },
    generate(z) {
      return tf.tidy(() => fromSymmetric(generator.predict(z) as tf.Tensor4D))
    }
  }
}
