/**
 * SGAN as the paper ran it on MNIST (`--arch mlp-wn`) — Salimans et al. 2016, code
 * openai/improved-gan, mnist_svhn_cifar10/train_mnist_feature_matching.py. Settings followed:
 *
 * - D: MLP 784 → 1000 → 500 → 250 → 250 → 250 → K, ReLU, weight normalisation (Salimans & Kingma
 *   2016: W = g · v / ‖v‖ per unit) with data-dependent initialisation on the first unlabelled
 *   batch (pre-activations of mean 0 and std 1; 0.1 for the logits), Gaussian noise σ 0.3 on the
 *   input and 0.5 after every hidden layer;
 * - G: z (100) → 500 → 500 (softplus, batch norm) → 784 sigmoid, images in [0, 1];
 * - Adam 3e-3, β1 0.5, batch 100 (one labelled, one unlabelled, one generated batch per step),
 *   G by feature matching on D's last hidden layer; 300 epochs in the paper.
 *
 * Departures: z is N(0, 1) like every recipe here (the paper draws U(0, 1)); G's output layer has
 * no weight normalisation; the learning rate stays constant (the paper decays it linearly over
 * its last 200 epochs). Evaluation, predict and export use an exponential moving average of D's
 * weights (β = 0.999) divided by 1 − β^t, so a short run is not pulled towards its initial weights.
 *
 * D is trained in its weight-normalised parameters (v, g, b: the model's buffers, checkpointed);
 * after each step the averaged effective weights are written into a plain dense network, which
 * is what classifies and what exports (TF.js, ONNX) — no custom layer reaches a runtime.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { sganStep } from './sgan'
import { adamFor, stepSeed, trainables, type GenerativeModel, type RecipeContext } from './recipe'

export const discriminatorUnits = [1000, 500, 250, 250, 250]
const inputNoise = 0.3
const hiddenNoise = 0.5
const averageDecay = 0.999

interface NormalisedLayer {
  v: tf.Variable
  g: tf.Variable
  b: tf.Variable
}

/** The weight a normalised layer applies: v scaled to unit columns, times g. */
const effectiveKernel = (layer: NormalisedLayer): tf.Tensor2D =>
  tf.tidy(() => tf.mul(layer.v, tf.div(layer.g, tf.norm(layer.v, 'euclidean', 0))) as tf.Tensor2D)

export function buildSganMlp(context: RecipeContext): GenerativeModel {
  const { shape, classes, config } = context
  const pixels = shape.height * shape.width * shape.channels
  const sizes = [pixels, ...discriminatorUnits, classes]
  const seed = config.seed
  // In a tidy: the initial values are temporaries (variables are kept, not disposed, by tidy).
  const layers: NormalisedLayer[] = tf.tidy(() =>
    sizes.slice(1).map((units, k) => ({
      v: tf.variable(tf.randomNormal([sizes[k], units], 0, 0.05, 'float32', seed * 100 + k)),
      g: tf.variable(tf.ones([units])),
      b: tf.variable(tf.zeros([units]))
    }))
  )
  const buffers: Record<string, tf.Tensor> = {}
  layers.forEach((layer, k) => {
    buffers[`d${k}/v`] = layer.v
    buffers[`d${k}/g`] = layer.g
    buffers[`d${k}/b`] = layer.b
  })
  // The evaluation network: plain dense layers holding the bias-corrected averaged weights.
  const input = tfl.input({ shape: [shape.height, shape.width, shape.channels] })
  let h = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor
  let features = h
  sizes.slice(1).forEach((units, k) => {
    const last = k === sizes.length - 2
    h = tfl.layers
      .dense({ units, activation: last ? 'linear' : 'relu' })
      .apply(h) as tfl.SymbolicTensor
    if (k === sizes.length - 3) features = h
  })
  const discriminator = tfl.model({ inputs: input, outputs: [h, features] })
  const denseLayers = discriminator.layers.filter((l) => l.getClassName() === 'Dense')
  // Running sums of the effective weights (bias correction divides them by 1 − β^t).
  const average = tf.tidy(() =>
    layers.map((layer) => ({
      kernel: tf.variable(tf.zerosLike(layer.v), false),
      bias: tf.variable(tf.zerosLike(layer.b), false)
    }))
  )
  average.forEach((a, k) => {
    buffers[`average${k}/kernel`] = a.kernel
    buffers[`average${k}/bias`] = a.bias
  })
  const averageSteps = tf.tidy(() => tf.variable(tf.scalar(0), false))
  buffers['average/steps'] = averageSteps

  const init = (k: number): object => ({
    kernelInitializer: tfl.initializers.glorotUniform({ seed: seed * 100 + 50 + k })
  })
  const generator = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [config.latentDim], units: 500, useBias: false, ...init(0) }),
      tfl.layers.batchNormalization({ momentum: 0.9 }),
      tfl.layers.activation({ activation: 'softplus' }),
      tfl.layers.dense({ units: 500, useBias: false, ...init(1) }),
      tfl.layers.batchNormalization({ momentum: 0.9 }),
      tfl.layers.activation({ activation: 'softplus' }),
      tfl.layers.dense({ units: pixels, activation: 'sigmoid', ...init(2) }),
      tfl.layers.reshape({ targetShape: [shape.height, shape.width, shape.channels] })
    ]
  })
  const g = adamFor(config, 'generator')
  const d = adamFor(config, 'discriminator')
  const gVars = trainables(generator)
  const dVars = layers.flatMap((l) => [l.v, l.g, l.b])

  /** D in its normalised parameters, with the paper's noise: [logits, last hidden features]. */
  const judge = (x: tf.Tensor4D, step: number, purpose: number): [tf.Tensor2D, tf.Tensor2D] => {
    const noise = (t: tf.Tensor2D, sigma: number, k: number): tf.Tensor2D =>
      tf.add(
        t,
        tf.randomNormal(t.shape, 0, sigma, 'float32', stepSeed(seed, step, purpose * 16 + k))
      )
    let out = noise(tf.reshape(x, [x.shape[0], -1]), inputNoise, 0)
    let hidden = out
    layers.forEach((layer, k) => {
      out = tf.add(tf.matMul(out, effectiveKernel(layer)), layer.b)
      if (k < layers.length - 1) {
        hidden = tf.relu(out)
        out = noise(hidden, hiddenNoise, k + 1)
      }
    })
    return [out, hidden]
  }

  /** Data-dependent init: each layer's pre-activations get mean 0 and std 1 (0.1 for logits). */
  const initialise = (x: tf.Tensor4D): void =>
    tf.tidy(() => {
      let out = tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D
      layers.forEach((layer, k) => {
        const t = tf.matMul(out, tf.div(layer.v, tf.norm(layer.v, 'euclidean', 0)))
        const { mean, variance } = tf.moments(t, 0)
        const scale = tf.div(k === layers.length - 1 ? 0.1 : 1, tf.sqrt(tf.add(variance, 1e-6)))
        layer.g.assign(scale as tf.Tensor1D)
        layer.b.assign(tf.neg(tf.mul(mean, scale)) as tf.Tensor1D)
        out = tf.add(tf.mul(t, scale), layer.b) as tf.Tensor2D
        if (k < layers.length - 1) out = tf.relu(out)
      })
    })

  /** Adds this step's weights to the average and writes the corrected average into D's layers. */
  const updateAverage = (): void =>
    tf.tidy(() => {
      averageSteps.assign(tf.add(averageSteps, 1))
      const correction = tf.sub(1, tf.pow(averageDecay, averageSteps))
      layers.forEach((layer, k) => {
        const a = average[k]
        a.kernel.assign(
          tf.add(tf.mul(a.kernel, averageDecay), tf.mul(effectiveKernel(layer), 1 - averageDecay))
        )
        a.bias.assign(tf.add(tf.mul(a.bias, averageDecay), tf.mul(layer.b, 1 - averageDecay)))
        denseLayers[k].setWeights([tf.div(a.kernel, correction), tf.div(a.bias, correction)])
      })
    })

  return {
    normalisation: 'unit',
    conditional: false,
    semiSupervised: true,
    classScores: 'logits',
    nets: { generator, discriminator },
    optimizers: { generator: g.optimizer, discriminator: d.optimizer },
    buffers,
    step: sganStep({
      config,
      classes,
      generator,
      judge,
      d,
      g,
      dVars,
      gVars,
      first: initialise,
      after: updateAverage
    }),
    generate(z) {
      return tf.tidy(() => generator.predict(z) as tf.Tensor4D)
    },
    classify(x) {
      return tf.tidy(() => (discriminator.predict(x) as tf.Tensor2D[])[0])
    }
  }
}
