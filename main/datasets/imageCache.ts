import { open } from 'node:fs/promises'

/**
 * Some images of a dataset's uint8 cache (fixed-size records in index order), read one by one
 * instead of loading a cache of tens of megabytes for a handful of thumbnails or reconstructions.
 */
export async function readCachedImages(
  file: string,
  indices: readonly number[],
  bytesPerImage: number
): Promise<Buffer> {
  const out = Buffer.alloc(indices.length * bytesPerImage)
  const handle = await open(file, 'r')
  try {
    for (let k = 0; k < indices.length; k++)
      await handle.read(out, k * bytesPerImage, bytesPerImage, indices[k] * bytesPerImage)
  } finally {
    await handle.close()
  }
  return out
}
