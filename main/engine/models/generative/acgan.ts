/**
 * ACGAN — Odena, Olah & Shlens, "Conditional Image Synthesis with Auxiliary Classifier GANs", 2017
 * (arXiv:1610.09585). G gets the class label; D does not, but has two heads: real/fake (L_S) and
 * the class (L_C). D maximises L_S + L_C, G maximises L_C − L_S (non-saturating form here), so the
 * discriminator is also a classifier — the basis of ACGAN-as-classifier.
 */
import * as tf from '@tensorflow/tfjs-core'
import { buildGenerator, buildHeads, withLabels } from './networks'
import {
  adamFor,
  bceTo,
  classLoss,
  fromSymmetric,
  latentCodes,
  stackLosses,
  trainables,
  withInstanceNoise,
  type GenerativeModel,
  type RecipeContext
} from './recipe'

export function buildAcgan(context: RecipeContext): GenerativeModel {
  const { shape, classes, config } = context
  const generator = buildGenerator(
    shape,
    config.latentDim + classes,
    config.width,
    'tanh',
    config.seed
  )
  const discriminator = buildHeads(shape, 0, config.width, [1, classes], config.seed + 1, true)
  const g = adamFor(config, 'generator')
  const d = adamFor(config, 'discriminator')
  const gVars = trainables(generator)
  const dVars = trainables(discriminator)
  const real = 1 - config.labelSmoothing
  const judge = (x: tf.Tensor4D): [tf.Tensor, tf.Tensor] =>
    discriminator.apply(x, { training: true }) as [tf.Tensor, tf.Tensor]

  return {
    normalisation: 'symmetric',
    conditional: true,
    classScores: 'logits',
    nets: { generator, discriminator },
    optimizers: { generator: g.optimizer, discriminator: d.optimizer },
    step(x, y, step) {
      const n = x.shape[0]
      const z = latentCodes(n, config.latentDim, config.seed, step, 1)
      let dClass: tf.Scalar | undefined
      const dLoss = d.optimizer.step(
        () =>
          tf.tidy(() => {
            const fake = generator.apply(withLabels(z, y, classes), {
              training: true
            }) as tf.Tensor4D
            const [realSource, realClass] = judge(withInstanceNoise(x, context, step, 2))
            const [fakeSource, fakeClass] = judge(withInstanceNoise(fake, context, step, 3))
            const classTerm = tf.add(
              classLoss(realClass, y, classes),
              classLoss(fakeClass, y, classes)
            )
            dClass = tf.keep(classLoss(realClass, y, classes))
            return tf.add(
              tf.add(bceTo(realSource, real), bceTo(fakeSource, 0)),
              classTerm
            ) as tf.Scalar
          }),
        dVars,
        d.learningRate
      )
      const gLoss = g.optimizer.step(
        () =>
          tf.tidy(() => {
            const fake = generator.apply(withLabels(z, y, classes), {
              training: true
            }) as tf.Tensor4D
            const [source, cls] = judge(withInstanceNoise(fake, context, step, 3))
            return tf.add(bceTo(source, 1), classLoss(cls, y, classes)) as tf.Scalar
          }),
        gVars,
        g.learningRate
      )
      z.dispose()
      return stackLosses({ 'd/loss': dLoss, 'g/loss': gLoss, 'd/class_loss': dClass! })
    },
    generate(z, labels) {
      return tf.tidy(() =>
        fromSymmetric(generator.predict(withLabels(z, labels!, classes)) as tf.Tensor4D)
      )
    },
    // ACGAN as a classifier: D's auxiliary class head on real images.
    classify(x) {
      return tf.tidy(() => (discriminator.predict(x) as tf.Tensor2D[])[1])
    }
  }
}
