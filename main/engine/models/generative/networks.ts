/**
 * The convolutional networks every generative recipe is built from, scaled to the image size
 * (28, 32, 64, …) and channel count, in the DCGAN style (Radford et al. 2015): strided
 * (transposed) convolutions, batch norm and ReLU in the generator, LeakyReLU in the discriminator,
 * weights drawn from N(0, 0.02) with a seed so a run is reproducible.
 *
 * Class conditioning happens outside the networks: the generator's input is [z, one-hot label],
 * and the discriminator/encoder get the one-hot label as extra constant image planes (Mirza &
 * Osindero 2014). So every network here has one input and can be checkpointed like a classifier.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'

export interface ImageShape {
  height: number
  width: number
  channels: number
}

/** Seeded N(0, 0.02) initialisers, one distinct seed per layer in build order. */
export function dcganInit(
  seed: number
): () => { kernelInitializer: ReturnType<typeof tfl.initializers.randomNormal> } {
  let layer = 0
  return () => ({
    kernelInitializer: tfl.initializers.randomNormal({
      mean: 0,
      stddev: 0.02,
      seed: seed * 100 + layer++
    })
  })
}

/**
 * How many 2× up/down-samplings the networks use: two for small images (28 → 7, 32 → 8), three
 * from 64 px. The side must divide evenly.
 */
export function resolutionSteps(shape: ImageShape): { steps: number; base: number } {
  if (shape.height !== shape.width)
    throw new Error(
      `Generative recipes need square images; this dataset is ${shape.width}×${shape.height}. ` +
        'Import it again with a single size (e.g. --size 32).'
    )
  const steps = shape.height >= 64 ? 3 : 2
  const base = shape.height / 2 ** steps
  if (!Number.isInteger(base) || base < 3)
    throw new Error(
      `Generative recipes need images whose side divides by ${2 ** steps} (28, 32, 48, 64, …); ` +
        `this dataset's is ${shape.height}. Import it again with --size 32 or 64.`
    )
  return { steps, base }
}

/**
 * z (and a one-hot label) → dense → base×base×(width·2^(steps−1)) → [transposed conv 4×4/2 → BN →
 * ReLU]… → transposed conv to the image channels → tanh ([−1, 1]) or sigmoid ([0, 1]).
 */
export function buildGenerator(
  shape: ImageShape,
  inputSize: number,
  width: number,
  output: 'tanh' | 'sigmoid',
  seed: number
): tfl.LayersModel {
  const { steps, base } = resolutionSteps(shape)
  const init = dcganInit(seed)
  const top = width * 2 ** (steps - 1)
  const model = tfl.sequential()
  model.add(
    tfl.layers.dense({
      inputShape: [inputSize],
      units: base * base * top,
      useBias: false,
      ...init()
    })
  )
  model.add(tfl.layers.batchNormalization({ momentum: 0.9 }))
  model.add(tfl.layers.reLU())
  model.add(tfl.layers.reshape({ targetShape: [base, base, top] }))
  for (let i = steps - 2; i >= 0; i--) {
    model.add(
      tfl.layers.conv2dTranspose({
        filters: width * 2 ** i,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        useBias: false,
        ...init()
      })
    )
    model.add(tfl.layers.batchNormalization({ momentum: 0.9 }))
    model.add(tfl.layers.reLU())
  }
  model.add(
    tfl.layers.conv2dTranspose({
      filters: shape.channels,
      kernelSize: 4,
      strides: 2,
      padding: 'same',
      activation: output,
      ...init()
    })
  )
  return model
}

/**
 * image (plus label planes) → conv 4×4/2 → LeakyReLU 0.2 → [conv 4×4/2 → (BN) → LeakyReLU]… →
 * flatten: the feature trunk shared by discriminators, critics and encoders. Batch norm after every
 * convolution but the first, as in DCGAN, makes the discriminator learn fast enough to teach the
 * generator; WGAN-GP's critic and the VAE encoders go without (the penalty is per image, and an
 * encoder's latent must not depend on the rest of its batch).
 */
export function buildTrunk(
  shape: ImageShape,
  extraChannels: number,
  width: number,
  seed: number,
  batchNorm = false
): { input: tfl.SymbolicTensor; features: tfl.SymbolicTensor; init: ReturnType<typeof dcganInit> } {
  const { steps } = resolutionSteps(shape)
  const init = dcganInit(seed)
  const input = tfl.input({ shape: [shape.height, shape.width, shape.channels + extraChannels] })
  let h: tfl.SymbolicTensor = input
  for (let i = 0; i < steps; i++) {
    h = tfl.layers
      .conv2d({
        filters: width * 2 ** i,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        useBias: !(batchNorm && i > 0),
        ...init()
      })
      .apply(h) as tfl.SymbolicTensor
    if (batchNorm && i > 0)
      h = tfl.layers.batchNormalization({ momentum: 0.9 }).apply(h) as tfl.SymbolicTensor
    h = tfl.layers.leakyReLU({ alpha: 0.2 }).apply(h) as tfl.SymbolicTensor
  }
  const features = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor
  return { input, features, init }
}

/** A network with one output per head (e.g. a real/fake logit and class logits) on the trunk. */
export function buildHeads(
  shape: ImageShape,
  extraChannels: number,
  width: number,
  heads: number[],
  seed: number,
  batchNorm = false
): tfl.LayersModel {
  const { input, features, init } = buildTrunk(shape, extraChannels, width, seed, batchNorm)
  const outputs = heads.map(
    (units) => tfl.layers.dense({ units, ...init() }).apply(features) as tfl.SymbolicTensor
  )
  return tfl.model({ inputs: input, outputs })
}

/** Trunk features and the head outputs, so VAE-GAN can compare images in D's feature space. */
export function buildHeadsWithFeatures(
  shape: ImageShape,
  width: number,
  seed: number
): tfl.LayersModel {
  const { input, features, init } = buildTrunk(shape, 0, width, seed, true)
  const logit = tfl.layers.dense({ units: 1, ...init() }).apply(features) as tfl.SymbolicTensor
  return tfl.model({ inputs: input, outputs: [logit, features] })
}

/** One-hot labels as constant image planes: [n] → [n, h, w, classes]. */
export function labelPlanes(labels: tf.Tensor1D, classes: number, shape: ImageShape): tf.Tensor4D {
  return tf.tidy(() =>
    tf.tile(tf.reshape(tf.cast(tf.oneHot(labels, classes), 'float32'), [-1, 1, 1, classes]), [
      1,
      shape.height,
      shape.width,
      1
    ])
  )
}

/** The generator's input for conditional models: [z, one-hot label]. */
export function withLabels(z: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Tensor2D {
  return tf.tidy(
    () => tf.concat([z, tf.cast(tf.oneHot(labels, classes), 'float32')], 1) as tf.Tensor2D
  )
}
