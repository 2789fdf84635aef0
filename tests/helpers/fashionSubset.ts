import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import sharp from 'sharp'

export const fashionMnistDir = '/usr/share/datasets/fashion-mnist'
/** The class folder names writeFashionSubset uses, in label order. */
export const classNames = [
  'T-shirt-top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot'
]

/**
 * Fails (never skips) where Debian's Fashion-MNIST is missing, saying how to get it: a test that
 * needs real data must not pass by not running.
 */
export function requireFashionMnist(): string {
  for (const file of ['train-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte.gz'])
    if (!existsSync(join(fashionMnistDir, file)))
      throw new Error(
        `${join(fashionMnistDir, file)} is missing: install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist).`
      )
  return fashionMnistDir
}

/**
 * The first `perClass` images of each class of Debian's Fashion-MNIST test set, written as an
 * ImageFolder of PNGs: real clothes, small enough to train in seconds, hard enough to confuse.
 */
export async function writeFashionSubset(root: string, perClass: number): Promise<void> {
  requireFashionMnist()
  const images = gunzipSync(readFileSync(join(fashionMnistDir, 't10k-images-idx3-ubyte.gz')))
  const labels = gunzipSync(readFileSync(join(fashionMnistDir, 't10k-labels-idx1-ubyte.gz')))
  const counts = new Array(10).fill(0)
  for (const name of classNames) mkdirSync(join(root, name), { recursive: true })
  const writes: Promise<unknown>[] = []
  for (let i = 0; i < 10_000 && counts.some((c) => c < perClass); i++) {
    const label = labels[8 + i]
    if (counts[label] >= perClass) continue
    const pixels = images.subarray(16 + i * 784, 16 + (i + 1) * 784)
    writes.push(
      sharp(Buffer.from(pixels), { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(join(root, classNames[label], `${counts[label]++}.png`))
    )
  }
  await Promise.all(writes)
}
