/**
 * DCGAN — Radford, Metz & Chintala, "Unsupervised Representation Learning with Deep Convolutional
 * Generative Adversarial Networks", 2015 (arXiv:1511.06434), trained with the non-saturating loss
 * of Goodfellow et al. 2014: D minimises BCE(D(x), 1) + BCE(D(G(z)), 0), G minimises
 * BCE(D(G(z)), 1).
 *
 * Conditional GAN — Mirza & Osindero, "Conditional Generative Adversarial Nets", 2014
 * (arXiv:1411.1784): the same game with the class label fed to both networks (one-hot into G's
 * input, constant label planes into D's), so G learns p(x | y). Fakes use the batch's real labels.
 */
import * as tf from '@tensorflow/tfjs-core'
import { buildGenerator, buildHeads, labelPlanes, withLabels } from './networks'
import {
  adamFor,
  bceTo,
  fromSymmetric,
  latentCodes,
  stackLosses,
  trainables,
  withInstanceNoise,
  type GenerativeModel,
  type RecipeContext
} from './recipe'

export function buildDcgan(context: RecipeContext, conditional: boolean): GenerativeModel {
  const { shape, classes, config } = context
  const labelSize = conditional ? classes : 0
  const generator = buildGenerator(
    shape,
    config.latentDim + labelSize,
    config.width,
    'tanh',
    config.seed
  )
  const discriminator = buildHeads(shape, labelSize, config.width, [1], config.seed + 1, true)
  const g = adamFor(config, 'generator')
  const d = adamFor(config, 'discriminator')
  const gVars = trainables(generator)
  const dVars = trainables(discriminator)
  const real = 1 - config.labelSmoothing

  const gInput = (z: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor2D =>
    conditional ? withLabels(z, labels, classes) : z
  const dInput = (x: tf.Tensor4D, labels: tf.Tensor1D): tf.Tensor4D =>
    conditional ? tf.concat([x, labelPlanes(labels, classes, shape)], 3) : x
  const judge = (x: tf.Tensor4D, labels: tf.Tensor1D): tf.Tensor =>
    discriminator.apply(dInput(x, labels), { training: true }) as tf.Tensor

  return {
    normalisation: 'symmetric',
    conditional,
    nets: { generator, discriminator },
    optimizers: { generator: g.optimizer, discriminator: d.optimizer },
    step(x, y, step) {
      const n = x.shape[0]
      const z = latentCodes(n, config.latentDim, config.seed, step, 1)
      const dLoss = d.optimizer.step(
        () =>
          tf.tidy(() => {
            const fake = generator.apply(gInput(z, y), { training: true }) as tf.Tensor4D
            const realLogits = judge(withInstanceNoise(x, context, step, 2), y)
            const fakeLogits = judge(withInstanceNoise(fake, context, step, 3), y)
            return tf.add(bceTo(realLogits, real), bceTo(fakeLogits, 0)) as tf.Scalar
          }),
        dVars,
        d.learningRate
      )
      const gLoss = g.optimizer.step(
        () =>
          tf.tidy(() => {
            const fake = generator.apply(gInput(z, y), { training: true }) as tf.Tensor4D
            return bceTo(judge(withInstanceNoise(fake, context, step, 3), y), 1)
          }),
        gVars,
        g.learningRate
      )
      z.dispose()
      return stackLosses({ 'd/loss': dLoss, 'g/loss': gLoss })
    },
    generate(z, labels) {
      return tf.tidy(() => {
        const input = conditional ? withLabels(z, labels!, classes) : z
        return fromSymmetric(generator.predict(input) as tf.Tensor4D)
      })
    }
  }
}
