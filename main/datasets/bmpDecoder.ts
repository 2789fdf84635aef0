/**
 * A BMP decoder for the importer (sharp's libvips has no BMP reader). It reads what Windows, GIMP,
 * PIL and ImageMagick write: OS/2 core and Windows v3–v5 headers; 1-, 2-, 4- and 8-bit palettes
 * (short ones too), RLE8 and RLE4; 16-bit RGB555 and bitfields; 24-bit; 32-bit BGRX and bitfields;
 * bottom-up and top-down rows. Output is grey (1 channel) when every palette entry is grey, else
 * RGB: alpha is dropped, as the importer drops it for every format. Checked against PIL in
 * tests/main/datasets/bmpDecode.test.ts, including PIL's rounding of 5- and 6-bit channels.
 *
 * It replaces fast-bmp, which imported palette indices as grey levels, 1-bit images as 0/1, and
 * refused 4- and 16-bit, RLE, OS/2, top-down and PIL's own 32-bit files.
 *
 * Work and memory: the header is read and the pixel count checked against the caller's limit
 * before anything is allocated, and an uncompressed file must hold all its rows, so a tiny file
 * cannot claim a huge image. Decoding is one pass, bounded by the file size plus the pixel count.
 */

export interface BmpPixels {
  width: number
  height: number
  channels: 1 | 3
  data: Uint8Array
}

interface Header {
  width: number
  height: number
  topDown: boolean
  bits: number
  compression: number
  /** Where the palette starts, and its entries' size (3 bytes in OS/2 core files, else 4). */
  paletteStart: number
  paletteEntry: 3 | 4
  colours: number
  pixelStart: number
  /** Red, green, blue masks of direct-colour pixels (16, 24 and 32 bits). */
  masks: [number, number, number]
}

const BI_RGB = 0
const BI_RLE8 = 1
const BI_RLE4 = 2
const BI_BITFIELDS = 3
const BI_ALPHABITFIELDS = 6

/** Reads and checks the header: no pixels are touched. Throws a message about this file. */
function readHeader(bytes: Buffer): Header {
  if (bytes.length < 26 || bytes[0] !== 0x42 || bytes[1] !== 0x4d)
    throw new Error('BMP header is truncated')
  const headerSize = bytes.readUInt32LE(14)
  const core = headerSize === 12
  if (!core && headerSize < 40) throw new Error(`unknown BMP header size ${headerSize}`)
  if (!core && bytes.length < 54) throw new Error('BMP header is truncated')
  const width = core ? bytes.readUInt16LE(18) : bytes.readInt32LE(18)
  const signedHeight = core ? bytes.readUInt16LE(20) : bytes.readInt32LE(22)
  const bits = bytes.readUInt16LE(core ? 24 : 28)
  const compression = core ? BI_RGB : bytes.readUInt32LE(30)
  if (width <= 0 || signedHeight === 0)
    throw new Error(`BMP claims ${width} × ${signedHeight} pixels`)
  if (![1, 2, 4, 8, 16, 24, 32].includes(bits))
    throw new Error(`BMP with ${bits} bits per pixel is not supported`)
  const bitfields = compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS
  const supported =
    compression === BI_RGB ||
    (compression === BI_RLE8 && bits === 8) ||
    (compression === BI_RLE4 && bits === 4) ||
    (bitfields && bits >= 16)
  if (!supported)
    throw new Error(
      `BMP compression ${compression} with ${bits} bits per pixel is not supported (convert the file to PNG)`
    )
  // A v3 (40-byte) header is followed by its masks; larger headers hold them at the same offset.
  const masksAfterHeader =
    headerSize === 40 && bitfields ? (compression === BI_ALPHABITFIELDS ? 16 : 12) : 0
  if (bitfields && bytes.length < 66) throw new Error('BMP header is truncated')
  const read: [number, number, number] = bitfields
    ? [bytes.readUInt32LE(54), bytes.readUInt32LE(58), bytes.readUInt32LE(62)]
    : [0, 0, 0]
  // No masks at all (some 32-bit writers) means the usual layout, as it does to PIL.
  const masks: [number, number, number] = read.some((mask) => mask !== 0)
    ? read
    : bits === 16
      ? [0x7c00, 0x03e0, 0x001f]
      : [0xff0000, 0x00ff00, 0x0000ff]
  const used = core || bits > 8 ? 0 : bytes.readUInt32LE(46)
  return {
    width,
    height: Math.abs(signedHeight),
    topDown: signedHeight < 0,
    bits,
    compression,
    paletteStart: 14 + headerSize + masksAfterHeader,
    paletteEntry: core ? 3 : 4,
    colours: bits > 8 ? 0 : Math.min(used || 1 << bits, 1 << bits),
    pixelStart: bytes.readUInt32LE(10),
    masks
  }
}

/** A BMP's declared size, from its header alone (what the size probe and the pixel limit need). */
export function bmpSize(bytes: Buffer): { width: number; height: number } {
  const { width, height } = readHeader(bytes)
  return { width, height }
}

/** Decodes a whole BMP; throws (a message about this file) when it is damaged or unsupported. */
export function decodeBmp(bytes: Buffer, maxPixels: number): BmpPixels {
  const header = readHeader(bytes)
  const { width, height, bits } = header
  if (width * height > maxPixels)
    throw new Error(`BMP of ${width} × ${height} exceeds the pixel limit`)
  if (bits > 8) return decodeDirect(bytes, header)
  const palette = readPalette(bytes, header)
  const indices =
    header.compression === BI_RGB ? unpackIndices(bytes, header) : decodeRle(bytes, header)
  const channels = palette.grey ? 1 : 3
  const data = new Uint8Array(width * height * channels)
  const { rgb, count } = palette
  for (let i = 0; i < indices.length; i++) {
    const entry = indices[i]
    if (entry >= count) continue // outside the palette: black
    if (channels === 1) data[i] = rgb[entry * 3]
    else {
      data[i * 3] = rgb[entry * 3]
      data[i * 3 + 1] = rgb[entry * 3 + 1]
      data[i * 3 + 2] = rgb[entry * 3 + 2]
    }
  }
  return { width, height, channels, data }
}

function readPalette(
  bytes: Buffer,
  { paletteStart, paletteEntry, colours }: Header
): { rgb: Uint8Array; count: number; grey: boolean } {
  if (paletteStart + colours * paletteEntry > bytes.length)
    throw new Error('BMP palette is cut short')
  const rgb = new Uint8Array(colours * 3)
  let grey = true
  for (let i = 0; i < colours; i++) {
    const at = paletteStart + i * paletteEntry // stored blue, green, red
    rgb[i * 3] = bytes[at + 2]
    rgb[i * 3 + 1] = bytes[at + 1]
    rgb[i * 3 + 2] = bytes[at]
    grey &&= bytes[at] === bytes[at + 1] && bytes[at] === bytes[at + 2]
  }
  return { rgb, count: colours, grey }
}

/** Bytes per stored row, padded to 4; checks the file holds every row before anything is made. */
function rowStride(bytes: Buffer, { width, height, bits, pixelStart }: Header): number {
  const stride = Math.ceil((width * bits) / 32) * 4
  const needed = pixelStart + stride * (height - 1) + Math.ceil((width * bits) / 8)
  if (needed > bytes.length)
    throw new Error(
      `BMP pixel data is cut short (${Math.max(0, bytes.length - pixelStart)} of ${needed - pixelStart} bytes)`
    )
  return stride
}

/** Image row of the `fileRow`-th stored row: stored bottom-up unless the height was negative. */
const imageRow = (header: Header, fileRow: number): number =>
  header.topDown ? fileRow : header.height - 1 - fileRow

function unpackIndices(bytes: Buffer, header: Header): Uint8Array {
  const { width, height, bits } = header
  const stride = rowStride(bytes, header)
  const indices = new Uint8Array(width * height)
  const mask = (1 << bits) - 1
  for (let row = 0; row < height; row++) {
    const from = header.pixelStart + row * stride
    const to = imageRow(header, row) * width
    if (bits === 8) {
      indices.set(bytes.subarray(from, from + width), to)
      continue
    }
    for (let x = 0; x < width; x++) {
      const bit = x * bits
      indices[to + x] = (bytes[from + (bit >> 3)] >> (8 - bits - (bit & 7))) & mask
    }
  }
  return indices
}

/**
 * RLE8 and RLE4: runs of one index (RLE4: two alternating ones), literal runs padded to 16 bits,
 * end of line, end of bitmap and delta escapes. Pixels the data skips keep index 0, as in PIL.
 */
function decodeRle(bytes: Buffer, header: Header): Uint8Array {
  const { width, height } = header
  const rle4 = header.compression === BI_RLE4
  const indices = new Uint8Array(width * height)
  const put = (x: number, y: number, index: number): void => {
    if (x < width && y < height) indices[imageRow(header, y) * width + x] = index
  }
  let at = header.pixelStart
  let x = 0
  let y = 0
  let ended = false
  while (!ended && y < height && at + 1 < bytes.length) {
    const count = bytes[at]
    const value = bytes[at + 1]
    at += 2
    if (count > 0) {
      // Writing stops at the row's end, so a run costs at most the row's width.
      const end = Math.min(x + count, width)
      for (let i = 0; x + i < end; i++) put(x + i, y, rle4 ? nibble(value, i) : value)
      x += count
    } else if (value === 0) {
      x = 0
      y++
    } else if (value === 1) {
      ended = true
    } else if (value === 2) {
      if (at + 1 >= bytes.length) break
      x += bytes[at]
      y += bytes[at + 1]
      at += 2
    } else {
      const length = rle4 ? Math.ceil(value / 2) : value
      if (at + length > bytes.length) break
      for (let i = 0; i < value; i++)
        put(x + i, y, rle4 ? nibble(bytes[at + (i >> 1)], i) : bytes[at + i])
      x += value
      at += length + (length & 1)
    }
  }
  // Some writers end the last row without an end-of-line or end-of-bitmap escape.
  const complete = ended || y >= height || (y === height - 1 && x >= width)
  if (!complete) throw new Error('BMP run-length data is cut short')
  return indices
}

/** The `i`-th pixel of an RLE4 byte pair: high nibble first. */
const nibble = (byte: number, i: number): number => (i & 1 ? byte & 0x0f : byte >> 4)

/** 16-, 24- and 32-bit pixels through their masks, scaled like PIL: floor(v × 255 / max). */
function decodeDirect(bytes: Buffer, header: Header): BmpPixels {
  const { width, height, bits } = header
  const stride = rowStride(bytes, header)
  const channels = header.masks.map(maskChannel)
  const data = new Uint8Array(width * height * 3)
  const bytesPerPixel = bits / 8
  // The common layout (blue, green, red bytes) is copied byte by byte: twice as fast.
  const [red, green, blue] = header.masks
  const bgr = bits >= 24 && red === 0xff0000 && green === 0xff00 && blue === 0xff
  for (let row = 0; row < height; row++) {
    const from = header.pixelStart + row * stride
    const to = imageRow(header, row) * width * 3
    for (let x = 0; x < width; x++) {
      const at = from + x * bytesPerPixel
      if (bgr) {
        data[to + x * 3] = bytes[at + 2]
        data[to + x * 3 + 1] = bytes[at + 1]
        data[to + x * 3 + 2] = bytes[at]
        continue
      }
      const pixel =
        bits === 16
          ? bytes.readUInt16LE(at)
          : bits === 24
            ? bytes.readUIntLE(at, 3)
            : bytes.readUInt32LE(at)
      for (let c = 0; c < 3; c++) {
        const { shift, max } = channels[c]
        data[to + x * 3 + c] = max ? Math.floor((((pixel >>> shift) & max) * 255) / max) : 0
      }
    }
  }
  return { width, height, channels: 3, data }
}

/** A mask's position and width; a mask of 0 reads as 0, a mask with gaps is refused. */
function maskChannel(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 }
  let shift = 0
  while (((mask >>> shift) & 1) === 0) shift++
  const max = mask >>> shift
  if ((max & (max + 1)) !== 0) throw new Error(`BMP colour mask 0x${mask.toString(16)} has gaps`)
  return { shift, max }
}
