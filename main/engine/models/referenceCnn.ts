/**
 * The reference CNN every backend is measured with (and the small classifier preset): the model of
 * the tfjs/PyTorch MNIST examples. conv3×3-32 → maxpool2 → conv3×3-64 → maxpool2 → dense-128 →
 * dense-K, 'valid' padding like PyTorch's default, ReLU activations, He-uniform-like init.
 * Its PyTorch twin is bench/reference/cnn_torch.py; keep the two identical.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'

export interface ReferenceCnnConfig {
  height: number
  width: number
  channels: number
  classes: number
}

export const fashionMnistShape: ReferenceCnnConfig = {
  height: 28,
  width: 28,
  channels: 1,
  classes: 10
}

/** Builds the model; `seed` fixes every initial weight, so a run is reproducible for its seed. */
export function buildReferenceCnn(
  config: ReferenceCnnConfig = fashionMnistShape,
  seed?: number
): tfl.Sequential {
  // Glorot-uniform like Keras' default, one seed per layer (same seed ⇒ same initial weights).
  let layer = 0
  const init = ():
    { kernelInitializer: ReturnType<typeof tfl.initializers.glorotUniform> } | object =>
    seed === undefined
      ? {}
      : { kernelInitializer: tfl.initializers.glorotUniform({ seed: seed * 100 + layer++ }) }
  const model = tfl.sequential()
  model.add(
    tfl.layers.conv2d({
      inputShape: [config.height, config.width, config.channels],
      filters: 32,
      kernelSize: 3,
      activation: 'relu',
      ...init()
    })
  ) // [B, 26, 26, 32]
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 })) // [B, 13, 13, 32]
  model.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', ...init() })) // [B, 11, 11, 64]
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 })) // [B, 5, 5, 64]
  model.add(tfl.layers.flatten()) // [B, 1600]
  model.add(tfl.layers.dense({ units: 128, activation: 'relu', ...init() })) // [B, 128]
  model.add(tfl.layers.dense({ units: config.classes, ...init() })) // [B, K] logits
  return model
}

/** Mean softmax cross-entropy of logits against integer labels. */
export function classificationLoss(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  classes: number
): tf.Scalar {
  return tf.tidy(
    () => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits) as tf.Scalar
  )
}

/**
 * One optimiser step on a batch; returns the loss as a number. The loop around it owns epochs,
 * metrics and events.
 */
export function trainStep(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  images: tf.Tensor4D,
  labels: tf.Tensor1D,
  classes: number
): tf.Scalar {
  // The loss stays on the device (caller reads and disposes it): reading it back after every
  // step would make a GPU wait for the CPU.
  return optimizer.minimize(
    () =>
      classificationLoss(model.apply(images, { training: true }) as tf.Tensor2D, labels, classes),
    true
  )!
}
