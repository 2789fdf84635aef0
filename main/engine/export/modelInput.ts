/**
 * What every loaded model shares, whether rebuilt from a run or opened from an export: turning
 * decoded uint8 images into its input, and a classifier's probabilities of them.
 */
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { normalise, type ChannelStats, type Normalisation } from '../../datasets/normalize'

export interface Preprocessing {
  normalisation: Normalisation
  stats?: ChannelStats
}

export interface InputShape {
  height: number
  width: number
  channels: number
}

/** uint8 images → the floats the model trains on (NHWC, flat). */
export function normalised(
  pixels: Uint8Array,
  count: number,
  shape: InputShape,
  preprocessing: Preprocessing
): Float32Array {
  return normalise(
    pixels.subarray(0, count * shape.height * shape.width * shape.channels),
    shape.channels,
    preprocessing.normalisation,
    preprocessing.stats
  )
}

/** uint8 images → the float tensor the model trains on. */
export function toInput(
  pixels: Uint8Array,
  count: number,
  shape: InputShape,
  preprocessing: Preprocessing
): tf.Tensor4D {
  return tf.tensor4d(normalised(pixels, count, shape, preprocessing), [
    count,
    shape.height,
    shape.width,
    shape.channels
  ])
}

/** Prediction with a tfjs classifier that outputs probabilities (the exported classifier). */
export function tfjsPredictor(
  model: tfl.LayersModel,
  shape: InputShape,
  preprocessing: Preprocessing
): (pixels: Uint8Array, count: number) => Promise<{ probabilities: Float32Array }> {
  return async (pixels, count) => {
    const x = toInput(pixels, count, shape, preprocessing)
    const out = tf.tidy(() => model.predict(x) as tf.Tensor2D)
    const probabilities = (await out.data()) as Float32Array
    tf.dispose([x, out])
    return { probabilities }
  }
}
