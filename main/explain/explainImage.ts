/**
 * The one image an explanation is about, as uint8 pixels in the model's input size: a dataset
 * image read from the image cache (with its true class), or an image file decoded exactly as
 * prediction decodes it (the dataset's size, channels and fit). A file that cannot be decoded is
 * refused with the import's reason, so the user knows what to fix.
 */
import { stat } from 'node:fs/promises'
import type { ExplainImage } from '../../preload/contract'
import type { DatasetData } from '../engine/engineMessages'
import { readCachedImages } from '../datasets/imageCache'
import { decodeFiles } from '../predict/predictService'
import { hasImageExtension } from '../datasets/imageFiles'
import { UserError } from '../platform/userError'
import type { SkippedFile } from '../../preload/contract'

export interface ResolvedImage {
  pixels: Uint8Array
  /** The true class of a labelled dataset image; null for files and unlabelled images. */
  label: number | null
  /** A stable name for caches and file names: `#<index>` or the file's path. */
  key: string
}

export async function explainImagePixels(
  image: ExplainImage,
  data: Pick<DatasetData, 'cacheFile' | 'height' | 'width' | 'channels' | 'labels'>,
  fit: 'cover' | 'contain',
  dataDir: string
): Promise<ResolvedImage> {
  const size = data.height * data.width * data.channels
  if ('datasetIndex' in image) {
    const index = image.datasetIndex
    if (index >= data.labels.length)
      throw new UserError(
        `The run's dataset has ${data.labels.length} images; there is no image ${index}.`,
        'not-found'
      )
    const pixels = new Uint8Array(await readCachedImages(data.cacheFile, [index], size))
    const label = data.labels[index]
    return { pixels, label: label >= 0 ? label : null, key: `#${index}` }
  }
  if ('pixels' in image) {
    const pixels = new Uint8Array(Buffer.from(image.pixels, 'base64'))
    if (pixels.length !== size)
      throw new UserError(
        `The pixels sent are ${pixels.length} bytes; the model takes ${data.height}×${data.width}×${data.channels} = ${size}.`,
        'invalid-args'
      )
    return { pixels, label: null, key: 'pixels' }
  }
  const info = await stat(image.path).catch(() => null)
  if (!info)
    throw new UserError(`${image.path} cannot be explained: there is no such file.`, 'not-found')
  // Only regular image files are decoded (a device or a FIFO would never end reading).
  if (!info.isFile() || !hasImageExtension(image.path))
    throw new UserError(
      `${image.path} cannot be explained: it is not an image file (PNG, JPEG, WebP, GIF, BMP, TIFF).`
    )
  const skipped: SkippedFile[] = []
  const decoded = await decodeFiles([image.path], dataDir, data, fit, size, skipped)
  if (decoded.paths.length === 0)
    throw new UserError(
      `${image.path} cannot be explained: ${skipped[0]?.detail ?? 'it could not be decoded'}.`
    )
  return { pixels: decoded.pixels, label: null, key: decoded.paths[0] }
}
