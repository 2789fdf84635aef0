/**
 * CIFAR-10/100 binary batches: each record is a label byte (CIFAR-100: coarse then fine) followed
 * by 3072 bytes, the 32×32 red, green and blue planes. Class names come from batches.meta.txt
 * (CIFAR-10) or fine_label_names.txt (CIFAR-100).
 */
import { readFile } from 'node:fs/promises'
import { UserError } from '../platform/userError'

const planeSize = 32 * 32

export interface CifarBatch {
  /** Interleaved RGB, [N, 32, 32, 3]. */
  pixels: Uint8Array
  labels: Uint8Array
}

export async function readCifarBatch(path: string, labelBytes: 1 | 2): Promise<CifarBatch> {
  const bytes = await readFile(path)
  const record = labelBytes + 3 * planeSize
  if (bytes.length === 0 || bytes.length % record !== 0) {
    throw new UserError(
      `${path} is not a CIFAR-${labelBytes === 1 ? 10 : 100} batch: ${bytes.length} bytes is not a multiple of ${record}.`
    )
  }
  const count = bytes.length / record
  const pixels = new Uint8Array(count * 3 * planeSize)
  const labels = new Uint8Array(count)
  for (let n = 0; n < count; n++) {
    const base = n * record
    labels[n] = bytes[base + labelBytes - 1] // CIFAR-100: the fine label
    for (let p = 0; p < planeSize; p++)
      for (let c = 0; c < 3; c++)
        pixels[(n * planeSize + p) * 3 + c] = bytes[base + labelBytes + c * planeSize + p]
  }
  return { pixels, labels }
}

/** One class name per non-empty line. */
export async function readNames(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8'))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
}
