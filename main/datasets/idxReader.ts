/**
 * IDX files (MNIST, Fashion-MNIST), raw or gzipped: images are magic 0x00000803 with dimensions
 * [N, rows, cols] of uint8, labels are 0x00000801 with [N] uint8 (LeCun's format).
 */
import { readFile } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'
import { UserError } from '../platform/userError'

export interface IdxImages {
  count: number
  rows: number
  cols: number
  pixels: Uint8Array
}

async function readMaybeGzip(path: string): Promise<Buffer> {
  const bytes = await readFile(path)
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes)
    } catch (error) {
      throw new UserError(
        `${path} is not a valid gzip file: ${(error as Error).message}. Download it again.`
      )
    }
  }
  return bytes
}

function header(bytes: Buffer, path: string, magic: number, dims: number): number[] {
  if (bytes.length < 4 + 4 * dims || bytes.readUInt32BE(0) !== magic) {
    const found =
      bytes.length >= 4 ? '0x' + bytes.readUInt32BE(0).toString(16).padStart(8, '0') : 'too short'
    throw new UserError(
      `${path} is not an IDX ${magic === 0x803 ? 'image' : 'label'} file (magic ${found}, expected 0x${magic.toString(16).padStart(8, '0')}).`
    )
  }
  return Array.from({ length: dims }, (_, i) => bytes.readUInt32BE(4 + 4 * i))
}

export async function readIdxImages(path: string): Promise<IdxImages> {
  const bytes = await readMaybeGzip(path)
  const [count, rows, cols] = header(bytes, path, 0x00000803, 3)
  const expected = 16 + count * rows * cols
  if (bytes.length < expected)
    throw new UserError(
      `${path} is truncated: ${bytes.length} bytes, ${expected} expected for ${count} images of ${rows}×${cols}.`
    )
  return {
    count,
    rows,
    cols,
    pixels: new Uint8Array(bytes.buffer, bytes.byteOffset + 16, count * rows * cols)
  }
}

export async function readIdxLabels(path: string): Promise<Uint8Array> {
  const bytes = await readMaybeGzip(path)
  const [count] = header(bytes, path, 0x00000801, 1)
  if (bytes.length < 8 + count)
    throw new UserError(
      `${path} is truncated: ${bytes.length} bytes, ${8 + count} expected for ${count} labels.`
    )
  return new Uint8Array(bytes.buffer, bytes.byteOffset + 8, count)
}

/** Encodes IDX files (used by tests and the import benchmark to write real-format data). */
export function encodeIdxImages(
  pixels: Uint8Array,
  count: number,
  rows: number,
  cols: number
): Buffer {
  const head = Buffer.alloc(16)
  head.writeUInt32BE(0x803, 0)
  head.writeUInt32BE(count, 4)
  head.writeUInt32BE(rows, 8)
  head.writeUInt32BE(cols, 12)
  return Buffer.concat([head, Buffer.from(pixels.buffer, pixels.byteOffset, count * rows * cols)])
}

export function encodeIdxLabels(labels: Uint8Array): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(0x801, 0)
  head.writeUInt32BE(labels.length, 4)
  return Buffer.concat([head, Buffer.from(labels)])
}
