import * as tf from '@tensorflow/tfjs-core'

/**
 * A learnable test image set for engine tests and benchmarks: class c is a bright square at a
 * class-specific place on uniform noise. Deterministic for a seed; uint8-sized values in [0, 1].
 */
export function squareImages(
  samples: number,
  shape: { height: number; width: number; channels: number; classes: number },
  seed: number
): { images: tf.Tensor4D; labels: tf.Tensor1D; labelValues: Int32Array } {
  const { height, width, channels, classes } = shape
  let state = (seed * 2654435761) >>> 0
  const random = (): number => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
  const pixels = new Float32Array(samples * height * width * channels)
  const labels = new Int32Array(samples)
  const side = Math.max(2, Math.floor(Math.min(height, width) / 4))
  const grid = Math.ceil(Math.sqrt(classes))
  for (let n = 0; n < samples; n++) {
    const label = Math.floor(random() * classes)
    labels[n] = label
    const top = Math.floor(((label / grid) | 0) * ((height - side) / Math.max(1, grid - 1)))
    const left = Math.floor((label % grid) * ((width - side) / Math.max(1, grid - 1)))
    for (let h = 0; h < height; h++)
      for (let w = 0; w < width; w++) {
        const inside = h >= top && h < top + side && w >= left && w < left + side
        for (let c = 0; c < channels; c++)
          pixels[((n * height + h) * width + w) * channels + c] = inside
            ? 0.7 + 0.3 * random()
            : 0.5 * random()
      }
  }
  return {
    images: tf.tensor4d(pixels, [samples, height, width, channels]),
    labels: tf.tensor1d(labels, 'int32'),
    labelValues: labels
  }
}
