/**
 * A fast path for the most common dataset file: a small 8-bit, non-interlaced PNG. It parses the
 * chunks, inflates with Node's native zlib and undoes the scanline filters — about 3× the speed of
 * the JavaScript PNG libraries measured (pngjs 32k, fast-png 22k images/s on 28×28 files; native
 * inflate alone 87k), which matters when a dataset is 70,000 tiny files. Anything else (palette,
 * 16-bit, interlaced) returns undefined and goes to libvips.
 */
import { inflateSync } from 'node:zlib'

export interface RawImage {
  width: number
  height: number
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  channels: number
  data: Uint8Array
}

const channelsOfColourType: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 }

export function decodeSimplePng(bytes: Uint8Array): RawImage | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.length < 33 || view.getUint32(0) !== 0x89504e47) return undefined
  const width = view.getUint32(16)
  const height = view.getUint32(20)
  const depth = bytes[24]
  const channels = channelsOfColourType[bytes[25]]
  if (depth !== 8 || !channels || bytes[28] !== 0 || width * height > 1 << 22) return undefined
  const idat: Uint8Array[] = []
  for (let offset = 8; offset + 8 <= bytes.length;) {
    const length = view.getUint32(offset)
    const type = view.getUint32(offset + 4)
    if (type === 0x49444154) idat.push(bytes.subarray(offset + 8, offset + 8 + length)) // IDAT
    if (type === 0x49454e44) break // IEND
    offset += 12 + length
  }
  const stride = width * channels
  let raw: Buffer
  try {
    // Bounded by what the header promises: an IDAT that inflates past it (a zlib bomb — a 500 KB
    // file can inflate to 500 MB) throws here instead of filling memory.
    raw = inflateSync(idat.length === 1 ? idat[0] : Buffer.concat(idat), {
      maxOutputLength: height * (stride + 1)
    })
  } catch {
    return undefined // let libvips report the damage in its own words
  }
  if (raw.length < height * (stride + 1)) return undefined
  const data = new Uint8Array(height * stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = y * (stride + 1) + 1
    const out = y * stride
    const prev = out - stride
    // One loop per filter type: the per-byte branch would cost more than the arithmetic.
    if (filter === 0 || (filter === 2 && y === 0)) data.set(raw.subarray(line, line + stride), out)
    else if (filter === 1 || (filter === 4 && y === 0)) {
      for (let x = 0; x < stride; x++)
        data[out + x] = (raw[line + x] + (x >= channels ? data[out + x - channels] : 0)) & 0xff
    } else if (filter === 2) {
      for (let x = 0; x < stride; x++) data[out + x] = (raw[line + x] + data[prev + x]) & 0xff
    } else if (filter === 3) {
      for (let x = 0; x < stride; x++) {
        const left = x >= channels ? data[out + x - channels] : 0
        const up = y > 0 ? data[prev + x] : 0
        data[out + x] = (raw[line + x] + ((left + up) >> 1)) & 0xff
      }
    } else if (filter === 4) {
      for (let x = 0; x < stride; x++) {
        const left = x >= channels ? data[out + x - channels] : 0
        const up = data[prev + x]
        const upLeft = x >= channels ? data[prev + x - channels] : 0
        const p = left + up - upLeft
        const pa = Math.abs(p - left)
        const pb = Math.abs(p - up)
        const pc = Math.abs(p - upLeft)
        data[out + x] =
          (raw[line + x] + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft)) & 0xff
      }
    } else return undefined
  }
  return { width, height, channels, data }
}

/**
 * Converts a decoded image of the target size to 1 or 3 channels the way libvips does: alpha
 * dropped, grey replicated, colour to grey with Rec. 601 luma weights.
 */
export function toChannels(image: RawImage, channels: 1 | 3): Uint8Array {
  const { data, channels: from } = image
  const pixels = image.width * image.height
  const out = new Uint8Array(pixels * channels)
  for (let p = 0; p < pixels; p++) {
    const s = p * from
    if (channels === 3) {
      const grey = from < 3
      out[p * 3] = data[s]
      out[p * 3 + 1] = grey ? data[s] : data[s + 1]
      out[p * 3 + 2] = grey ? data[s] : data[s + 2]
    } else
      out[p] =
        from < 3 ? data[s] : Math.round(0.299 * data[s] + 0.587 * data[s + 1] + 0.114 * data[s + 2])
  }
  return out
}
