/** Generated images leave the engine as uint8 pixels (files are made in datasets/pixelImages). */
import * as tf from '@tensorflow/tfjs-core'
import type { PixelBatch } from '../../datasets/pixelImages'

export type { PixelBatch }

/** [n, h, w, c] in [0, 1] → uint8 pixels, rounded like PIL (read asynchronously: GPUs can't sync). */
export async function toPixels(images: tf.Tensor4D): Promise<PixelBatch> {
  const [count, height, width, channels] = images.shape
  const scaled = tf.tidy(() => tf.round(tf.mul(tf.clipByValue(images, 0, 1), 255)))
  const values = await scaled.data()
  scaled.dispose()
  return { pixels: Uint8Array.from(values), count, height, width, channels }
}
