/**
 * Decodes one image file into uint8 pixels of the dataset's size and channel count, with libvips
 * (sharp) for PNG/JPEG/WebP/GIF/TIFF and bmpDecoder.ts for BMP (sharp's libvips has no BMP reader).
 * Failures come back as a skip reason a person can act on, never as a throw.
 */
import { createHash } from 'node:crypto'
import sharp, { type Sharp } from 'sharp'
import type { SkipReason } from '../../preload/contract'
import { bmpSize, decodeBmp } from './bmpDecoder'
import { decodeSimplePng, toChannels } from './fastPng'
import { sniffFormat } from './imageFiles'
import { readImageFile } from './readImageFile'

/** Images above this many pixels are refused as likely decompression bombs. */
export const maxInputPixels = 40_000_000
/**
 * libvips gives up on one file after this long (a pathological file, e.g. a progressive JPEG of
 * thousands of scans, must not hold an import forever); a 40-megapixel image decodes in about a
 * second.
 */
export const decodeTimeoutSeconds = 30

export interface DecodeOptions {
  size: number
  channels: 1 | 3
  fit: 'cover' | 'contain'
}

export type Decoded =
  | { ok: true; pixels: Uint8Array; sha256: string; width: number; height: number }
  | { ok: false; reason: SkipReason; detail: string }

const fail = (reason: SkipReason, detail: string): Decoded => ({ ok: false, reason, detail })
const tooLarge = (): Decoded =>
  fail(
    'too-large',
    `more than ${maxInputPixels.toLocaleString('en')} pixels (decompression-bomb guard)`
  )

/** Reads the header only: width and height, or undefined when the file cannot be probed. */
export async function probeImage(
  path: string
): Promise<{ width: number; height: number } | undefined> {
  try {
    const read = await readImageFile(path)
    if (!read.ok) return undefined
    const { bytes } = read
    if (sniffFormat(bytes) === 'bmp') return bmpSize(bytes)
    const meta = await sharp(bytes, { limitInputPixels: maxInputPixels }).metadata()
    return meta.width && meta.height ? { width: meta.width, height: meta.height } : undefined
  } catch {
    return undefined
  }
}

/**
 * The BMP decoder checks the header's width × height against the limit before it allocates: a
 * 60-byte file claiming 20,000 × 20,000 must not cost 1.2 GB.
 */
function bmpToSharp(bytes: Buffer): Sharp {
  const { width, height, channels, data } = decodeBmp(bytes, maxInputPixels)
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
    raw: { width, height, channels }
  })
}

/** Decodes a file's bytes (the decode worker reads them synchronously, off the main thread). */
export async function decodeBytes(bytes: Buffer, options: DecodeOptions): Promise<Decoded> {
  if (bytes.length === 0) return fail('empty', 'zero-byte file')
  const format = sniffFormat(bytes)
  if (!format)
    return fail(
      'not-image',
      'has an image extension but its content is not PNG, JPEG, WebP, GIF, BMP or TIFF'
    )
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  // Small 8-bit PNGs already at the dataset's size skip libvips (see fastPng.ts).
  const simple = format === 'png' ? decodeSimplePng(bytes) : undefined
  if (simple && simple.width === options.size && simple.height === options.size) {
    const pixels = toChannels(simple, options.channels)
    return { ok: true, pixels, sha256, width: simple.width, height: simple.height }
  }
  let image: Sharp
  try {
    image =
      format === 'bmp'
        ? bmpToSharp(bytes)
        : sharp(bytes, { limitInputPixels: maxInputPixels, failOn: 'warning' })
  } catch (error) {
    // The BMP decoder's own errors: plain JavaScript, about this file only.
    const message = (error as Error).message
    return /pixel limit/i.test(message)
      ? tooLarge()
      : fail('corrupt', `cannot be decoded: ${message}`)
  }
  const started = performance.now()
  try {
    // First frame of animations; alpha dropped like PIL's convert('RGB'); CMYK, 16-bit and
    // palette images all end as 8-bit sRGB or grey.
    image = image
      .timeout({ seconds: decodeTimeoutSeconds })
      .rotate()
      .removeAlpha()
      .resize(options.size, options.size, { fit: options.fit, background: { r: 0, g: 0, b: 0 } })
      .toColourspace(options.channels === 1 ? 'b-w' : 'srgb')
    const { data, info } = await image.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true })
    const pixels = new Uint8Array(options.size * options.size * options.channels)
    if (info.channels === options.channels) pixels.set(data)
    else
      for (let i = 0; i < pixels.length; i++)
        pixels[i] = data[Math.floor(i / options.channels) * info.channels + (i % options.channels)]
    return { ok: true, pixels, sha256, width: info.width, height: info.height }
  } catch (error) {
    // sharp raises the pixel limit itself, so that message is this file's. libvips's messages are
    // not: it keeps one error buffer per process, and every operation clears it as it starts, so
    // with decodes in parallel the text at hand can be another file's (a PNG reported with a
    // TIFF's "bad seek"), or sharp's stand-in "Warning treated as error", and two imports of one
    // folder would disagree. The reason is certain; the detail says only what is.
    if (/pixel limit/i.test((error as Error).message)) return tooLarge()
    if (performance.now() - started >= decodeTimeoutSeconds * 1000)
      return fail('timeout', `took over ${decodeTimeoutSeconds} s to decode (per-file time limit)`)
    return fail(
      'corrupt',
      `cannot be decoded: not a readable ${format.toUpperCase()} file (damaged, cut short, or a variant libvips does not read)`
    )
  }
}
