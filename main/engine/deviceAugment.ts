/**
 * Augmentation and normalisation on the device, for the GPU rung: the same random choices as the
 * CPU path (datasets/augment.ts draws them, in the same order, from the same seed), applied as one
 * batched projective transform with bilinear sampling and zero fill (exactly the CPU's inverse
 * mapping), then contrast, brightness, rounding, clipping and cutout as tensor ops. Pixels differ
 * from the CPU's by at most a rounding step: tf.round rounds halves to even, Math.round up.
 */
import * as tf from '@tensorflow/tfjs-core'
import { drawAugmentation, type Augmentation, type ImageShape } from '../datasets/augment'
import type { ChannelStats, Normalisation } from '../datasets/normalize'
import { seededRandom } from '../platform/random'

/**
 * Augments a batch of uint8-valued float images [n, h, w, c] (values 0–255) reproducibly for a
 * seed, like augmentBatch does on the CPU. The caller disposes the result.
 */
export function augmentOnDevice(
  images: tf.Tensor4D,
  shape: ImageShape,
  a: Augmentation,
  seed: number
): tf.Tensor4D {
  const n = images.shape[0]
  const { height: h, width: w } = shape
  const random = seededRandom(seed)
  const draws = Array.from({ length: n }, () => drawAugmentation(shape, a, random))
  const [cy, cx] = [(h - 1) / 2, (w - 1) / 2]
  // Output (x, y) reads the source at (a0·x + a1·y + a2, b0·x + b1·y + b2): augmentImage's
  // inverse mapping (flip, shift, rotation about the centre) written as one affine map.
  const transforms = new Float32Array(n * 8)
  draws.forEach((d, i) => {
    const [cos, sin] = [Math.cos(d.angle), Math.sin(d.angle)]
    const f = d.flip ? -1 : 1
    const x0 = (d.flip ? w - 1 : 0) + d.shiftX - cx
    const y0 = d.shiftY - cy
    transforms.set(
      [cos * f, sin, sin * y0 + cos * x0 + cx, -sin * f, cos, cos * y0 - sin * x0 + cy, 0, 0],
      i * 8
    )
  })
  // Cutout: rows and columns of each image's square, multiplied into a [n, h, w, 1] mask.
  const rows = new Float32Array(n * h)
  const cols = new Float32Array(n * w)
  draws.forEach((d, i) => {
    if (!d.cutout) return
    for (let y = Math.max(0, d.cutout.top); y < Math.min(h, d.cutout.top + a.cutout); y++)
      rows[i * h + y] = 1
    for (let x = Math.max(0, d.cutout.left); x < Math.min(w, d.cutout.left + a.cutout); x++)
      cols[i * w + x] = 1
  })
  return tf.tidy(() => {
    const moved = tf.image.transform(images, tf.tensor2d(transforms, [n, 8]), 'bilinear')
    const gain = tf.tensor4d(
      draws.map((d) => d.gain),
      [n, 1, 1, 1]
    )
    const bias = tf.tensor4d(
      draws.map((d) => d.bias),
      [n, 1, 1, 1]
    )
    const adjusted = tf.clipByValue(
      tf.round(tf.add(tf.add(tf.mul(tf.sub(moved, 127.5), gain), 127.5), bias)),
      0,
      255
    )
    if (a.cutout <= 0) return adjusted as tf.Tensor4D
    const cut = tf.mul(tf.tensor4d(rows, [n, h, 1, 1]), tf.tensor4d(cols, [n, 1, w, 1]))
    return tf.mul(adjusted, tf.sub(1, cut)) as tf.Tensor4D
  })
}

/** normalise() (datasets/normalize.ts) on the device, for uint8-valued float images. */
export function normaliseOnDevice(
  images: tf.Tensor4D,
  mode: Normalisation,
  stats?: ChannelStats
): tf.Tensor4D {
  return tf.tidy(() => {
    const unit = tf.div(images, 255)
    if (mode === 'unit') return unit as tf.Tensor4D
    if (mode === 'symmetric') return tf.sub(tf.mul(unit, 2), 1) as tf.Tensor4D
    if (!stats) throw new Error('standardize needs channel statistics of the training split')
    return tf.div(tf.sub(unit, tf.tensor1d(stats.mean)), tf.tensor1d(stats.std)) as tf.Tensor4D
  })
}
