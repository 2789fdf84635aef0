/**
 * On-the-fly augmentation of uint8 images (H×W×C, as stored in the dataset cache), seeded so a run
 * is reproducible. Plain loops over small images: the trainer calls this per batch while the
 * tensor backend works, and the preview calls it for a handful of images.
 */
import type { Augmentation } from '../../preload/contract'
import { seededRandom } from '../platform/random'

export type { Augmentation }

export interface ImageShape {
  height: number
  width: number
  channels: number
}

/** Bilinear sample of channel c at (y, x); zero outside the image. */
function sample(src: Uint8Array, s: ImageShape, y: number, x: number, c: number): number {
  const y0 = Math.floor(y)
  const x0 = Math.floor(x)
  let sum = 0
  for (const [dy, wy] of [
    [0, 1 - (y - y0)],
    [1, y - y0]
  ])
    for (const [dx, wx] of [
      [0, 1 - (x - x0)],
      [1, x - x0]
    ]) {
      const yy = y0 + dy
      const xx = x0 + dx
      if (wy * wx === 0 || yy < 0 || xx < 0 || yy >= s.height || xx >= s.width) continue
      sum += wy * wx * src[(yy * s.width + xx) * s.channels + c]
    }
  return sum
}

/** One image's random choices, drawn in a fixed order (so CPU and GPU augment alike). */
export interface AugmentationDraw {
  flip: boolean
  /** Radians. */
  angle: number
  shiftY: number
  shiftX: number
  gain: number
  /** In pixel units (0–255). */
  bias: number
  /** Top-left corner of the cutout square (may lie outside the image); null without cutout. */
  cutout: { top: number; left: number } | null
}

/** Draws one image's augmentation; `random` supplies every random choice. */
export function drawAugmentation(
  shape: ImageShape,
  a: Augmentation,
  random: () => number
): AugmentationDraw {
  const flip = a.flip && random() < 0.5
  const angle = ((random() * 2 - 1) * a.rotateDegrees * Math.PI) / 180
  const shiftY = a.cropPadding ? Math.floor(random() * (2 * a.cropPadding + 1)) - a.cropPadding : 0
  const shiftX = a.cropPadding ? Math.floor(random() * (2 * a.cropPadding + 1)) - a.cropPadding : 0
  const gain = 1 + (random() * 2 - 1) * a.contrast
  const bias = (random() * 2 - 1) * a.brightness * 255
  const cutout =
    a.cutout > 0
      ? {
          top: Math.floor(random() * shape.height) - Math.floor(a.cutout / 2),
          left: Math.floor(random() * shape.width) - Math.floor(a.cutout / 2)
        }
      : null
  return { flip, angle, shiftY, shiftX, gain, bias, cutout }
}

/** Returns an augmented copy of one image; `random` supplies every random choice. */
export function augmentImage(
  src: Uint8Array,
  shape: ImageShape,
  a: Augmentation,
  random: () => number
): Uint8Array {
  const { height: h, width: w, channels: ch } = shape
  const { flip, angle, shiftY, shiftX, gain, bias, cutout } = drawAugmentation(shape, a, random)
  const out = new Uint8Array(src.length)
  const [cy, cx] = [(h - 1) / 2, (w - 1) / 2]
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)]
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      // Inverse mapping: where in the source does this output pixel come from?
      const ox = (flip ? w - 1 - x : x) + shiftX - cx
      const oy = y + shiftY - cy
      const sy = cos * oy - sin * ox + cy
      const sx = sin * oy + cos * ox + cx
      for (let c = 0; c < ch; c++) {
        const v =
          angle === 0
            ? Number.isInteger(sy) && Number.isInteger(sx) && sy >= 0 && sx >= 0 && sy < h && sx < w
              ? src[(sy * w + sx) * ch + c]
              : 0
            : sample(src, shape, sy, sx, c)
        out[(y * w + x) * ch + c] = Math.max(
          0,
          Math.min(255, Math.round((v - 127.5) * gain + 127.5 + bias))
        )
      }
    }
  if (cutout) {
    const { top, left } = cutout
    for (let y = Math.max(0, top); y < Math.min(h, top + a.cutout); y++)
      for (let x = Math.max(0, left); x < Math.min(w, left + a.cutout); x++)
        out.fill(0, (y * w + x) * ch, (y * w + x + 1) * ch)
  }
  return out
}

/** Augments a batch of images laid out back to back, reproducibly for a seed. */
export function augmentBatch(
  batch: Uint8Array,
  count: number,
  shape: ImageShape,
  a: Augmentation,
  seed: number
): Uint8Array {
  const random = seededRandom(seed)
  const size = shape.height * shape.width * shape.channels
  const out = new Uint8Array(batch.length)
  for (let n = 0; n < count; n++)
    out.set(augmentImage(batch.subarray(n * size, (n + 1) * size), shape, a, random), n * size)
  return out
}
