/**
 * Semi-supervised GAN — Salimans, Goodfellow, Zaremba, Cheung, Radford & Chen, "Improved Techniques
 * for Training GANs", 2016 (arXiv:1606.03498), §3.1 (feature matching) and §5 (semi-supervised).
 *
 * D is a K-class classifier whose "fake" class is implicit: with logits l(x), D(x) = Z/(Z + 1)
 * where Z = Σ_k exp l_k(x), so log D(x) = lse(l) − softplus(lse(l)) and log(1 − D(x)) =
 * −softplus(lse(l)). D's loss is the labelled cross-entropy plus the unsupervised GAN loss on
 * unlabelled and generated images; G matches the mean of D's trunk features on real images
 * (feature matching), which the paper found best for classification.
 *
 * D has no batch norm: labelled, unlabelled and generated batches go through it separately, and
 * batch statistics would differ between them (the paper uses weight normalisation instead). It is
 * regularised as the paper's D is, since with 10 labels per class it would otherwise learn them by
 * heart: Gaussian noise on its inputs (the instance-noise setting, σ = 0.3 by default, held constant
 * rather than faded) and dropout of whole feature maps (rate 0.3) after every hidden layer, as the
 * paper's CIFAR model drops units, both seeded by the step so a resumed run replays them.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { buildGenerator, buildTrunk } from './networks'
import {
  adamFor,
  classLoss,
  fromSymmetric,
  latentCodes,
  stackLosses,
  stepSeed,
  trainables,
  type GenerativeModel,
  type RecipeContext
} from './recipe'

/** The unsupervised part of D's loss: −log D(unlabelled) − log(1 − D(fake)), batch means. */
export function sganUnsupervisedLoss(realLogits: tf.Tensor2D, fakeLogits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const real = tf.logSumExp(realLogits, 1)
    const fake = tf.logSumExp(fakeLogits, 1)
    return tf.add(
      tf.sub(tf.mean(tf.softplus(real)), tf.mean(real)),
      tf.mean(tf.softplus(fake))
    ) as tf.Scalar
  })
}

/** What one SGAN step needs: the networks, D as a function with its noise, and the optimisers. */
export interface SganParts {
  config: RecipeContext['config']
  classes: number
  generator: tfl.LayersModel
  /** D on a training batch (with its noise): [logits, the features G matches]. */
  judge(x: tf.Tensor4D, step: number, purpose: number): [tf.Tensor2D, tf.Tensor2D]
  d: ReturnType<typeof adamFor>
  g: ReturnType<typeof adamFor>
  dVars: tf.Variable[]
  gVars: tf.Variable[]
  /** Runs after both updates (mlp-wn: the weight average), and before D's first update. */
  after?(): void
  first?(x: tf.Tensor4D): void
}

/**
 * One step: D on a labelled, an unlabelled and a generated batch (supervised cross-entropy plus
 * the unsupervised GAN loss), then G by feature matching: ‖E f(x) − E f(G(z))‖², a mean here.
 */
export function sganStep(parts: SganParts): GenerativeModel['step'] {
  const { config, classes, generator, judge, d, g, dVars, gVars } = parts
  return (x, _y, step, labelled) => {
    if (!labelled) throw new Error('SGAN needs a labelled batch at every step.')
    if (step === 0) parts.first?.(x)
    const z = latentCodes(x.shape[0], config.latentDim, config.seed, step, 1)
    let supervised: tf.Scalar | undefined
    let unsupervised: tf.Scalar | undefined
    let labelledAccuracy: tf.Scalar | undefined
    const dLoss = d.optimizer.step(
      () =>
        tf.tidy(() => {
          const fake = generator.apply(z, { training: true }) as tf.Tensor4D
          const [labelledLogits] = judge(labelled.x, step, 4)
          const [realLogits] = judge(x, step, 2)
          const [fakeLogits] = judge(fake, step, 3)
          const sup = classLoss(labelledLogits, labelled.y, classes)
          const unsup = sganUnsupervisedLoss(realLogits, fakeLogits)
          supervised = tf.keep(sup.clone())
          unsupervised = tf.keep(unsup.clone())
          labelledAccuracy = tf.keep(
            tf.mean(tf.cast(tf.equal(tf.argMax(labelledLogits, 1), labelled.y), 'float32'))
          ) as tf.Scalar
          return tf.add(sup, tf.mul(unsup, config.unsupervisedWeight)) as tf.Scalar
        }),
      dVars,
      d.learningRate
    )
    const gLoss = g.optimizer.step(
      () =>
        tf.tidy(() => {
          const fake = generator.apply(z, { training: true }) as tf.Tensor4D
          const [, realFeatures] = judge(x, step, 5)
          const [, fakeFeatures] = judge(fake, step, 6)
          return tf.mean(
            tf.square(tf.sub(tf.mean(realFeatures, 0), tf.mean(fakeFeatures, 0)))
          ) as tf.Scalar
        }),
      gVars,
      g.learningRate
    )
    z.dispose()
    parts.after?.()
    return stackLosses({
      'd/loss': dLoss,
      'g/loss': gLoss,
      'd/supervised_loss': supervised!,
      'd/unsupervised_loss': unsupervised!,
      'd/labelled_accuracy': labelledAccuracy!
    })
  }
}

const hiddenDropout = 0.3

/**
 * Spatial dropout (Tompson et al. 2015): whole feature maps dropped per image, with a seeded mask.
 * Per-element masks cost a seeded random draw per activation, which halved SGAN's speed on wasm.
 */
function spatialDropout(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  return tf.tidy(() => {
    const [n, , , c] = x.shape
    const keep = tf.cast(
      tf.greaterEqual(tf.randomUniform([n, 1, 1, c], 0, 1, 'float32', seed), rate),
      'float32'
    )
    return tf.div(tf.mul(x, keep), 1 - rate)
  })
}

export function buildSgan(context: RecipeContext): GenerativeModel {
  const { shape, classes, config } = context
  const generator = buildGenerator(shape, config.latentDim, config.width, 'tanh', config.seed)
  const trunk = buildTrunk(shape, 0, config.width, config.seed + 1, false)
  const logits = tfl.layers
    .dense({ units: classes, ...trunk.init() })
    .apply(trunk.features) as tfl.SymbolicTensor
  const discriminator = tfl.model({ inputs: trunk.input, outputs: [logits, trunk.features] })
  const g = adamFor(config, 'generator')
  const d = adamFor(config, 'discriminator')
  const gVars = trainables(generator)
  const dVars = trainables(discriminator)
  const hidden = discriminator.layers.slice(1)
  /** D on a training batch, with input noise and dropout after each LeakyReLU: [logits, features]. */
  const judge = (x: tf.Tensor4D, step: number, purpose: number): [tf.Tensor2D, tf.Tensor2D] => {
    const seed = (k: number): number => stepSeed(config.seed, step, purpose * 16 + k)
    let h: tf.Tensor =
      config.instanceNoise > 0
        ? tf.add(x, tf.randomNormal(x.shape, 0, config.instanceNoise, 'float32', seed(0)))
        : x
    let features = h as tf.Tensor2D
    hidden.forEach((layer, k) => {
      h = layer.apply(h) as tf.Tensor
      if (layer.getClassName() === 'LeakyReLU') h = spatialDropout(h, hiddenDropout, seed(k + 1))
      if (layer.getClassName() === 'Flatten') features = h as tf.Tensor2D
    })
    return [h as tf.Tensor2D, features]
  }

  return {
    normalisation: 'symmetric',
    conditional: false,
    semiSupervised: true,
    classScores: 'logits',
    nets: { generator, discriminator },
    optimizers: { generator: g.optimizer, discriminator: d.optimizer },
    step: sganStep({ config, classes, generator, judge, d, g, dVars, gVars }),
    generate(z) {
      return tf.tidy(() => fromSymmetric(generator.predict(z) as tf.Tensor4D))
    },
    classify(x) {
      return tf.tidy(() => (discriminator.predict(x) as tf.Tensor2D[])[0])
    }
  }
}
