/**
 * Generated images on their way out as files: uint8 pixel batches tiled into grids, PNG bytes and
 * ImageFolder trees (one folder per class, which `dgmw import` reads back as a dataset). No tensors
 * here, so the host writes sample grids without the tensor library; files are written atomically.
 */
import { join } from 'node:path'
import sharp from 'sharp'
import { writeFileAtomic } from '../platform/atomicWrite'

export interface PixelBatch {
  pixels: Uint8Array
  count: number
  height: number
  width: number
  channels: number
}

/** Tiles images row by row into one image with `pad` pixels of background between them. */
export function tileGrid(batch: PixelBatch, cols: number, pad = 2, background = 255): PixelBatch {
  const { count, height: h, width: w, channels: c } = batch
  const rows = Math.ceil(count / cols)
  const width = cols * w + (cols + 1) * pad
  const height = rows * h + (rows + 1) * pad
  const out = new Uint8Array(width * height * c).fill(background)
  for (let i = 0; i < count; i++) {
    const top = pad + Math.floor(i / cols) * (h + pad)
    const left = pad + (i % cols) * (w + pad)
    for (let y = 0; y < h; y++) {
      const from = (i * h + y) * w * c
      out.set(batch.pixels.subarray(from, from + w * c), ((top + y) * width + left) * c)
    }
  }
  return { pixels: out, count: 1, height, width, channels: c }
}

/** PNG bytes of one image (count 1) or of the first image of a batch. */
export function encodePng(image: PixelBatch): Promise<Buffer> {
  const size = image.height * image.width * image.channels
  return sharp(Buffer.from(image.pixels.buffer, image.pixels.byteOffset, size), {
    raw: { width: image.width, height: image.height, channels: image.channels as 1 | 3 }
  })
    .png()
    .toBuffer()
}

/** One image of a batch as its own PixelBatch (a view, not a copy). */
export function imageAt(batch: PixelBatch, index: number): PixelBatch {
  const size = batch.height * batch.width * batch.channels
  return { ...batch, count: 1, pixels: batch.pixels.subarray(index * size, (index + 1) * size) }
}

/**
 * Writes each image as `<out>/<class name>/<seed>-<index>.png` (or `<out>/samples/…` when the
 * model is unconditional); returns how many files were written.
 */
export async function writeImageFolder(
  out: string,
  batch: PixelBatch,
  labels: (number | null)[],
  classNames: string[],
  seed: number
): Promise<number> {
  for (let i = 0; i < batch.count; i++) {
    const label = labels[i]
    const folder = label === null ? 'samples' : safeName(classNames[label] ?? `class-${label}`)
    const file = join(out, folder, `${seed}-${String(i).padStart(5, '0')}.png`)
    writeFileAtomic(file, await encodePng(imageAt(batch, i)))
  }
  return batch.count
}

/** Class names made safe as folder names on every platform. */
const safeName = (name: string): string =>
  [...name].map((ch) => (ch < ' ' || '<>:"/\\|?*'.includes(ch) ? '_' : ch)).join('') || '_'
