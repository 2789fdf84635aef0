/**
 * Decodes one image file into uint8 pixels of the dataset's size and channel count, with libvips
 * (sharp) for PNG/JPEG/WebP/GIF/TIFF and fast-bmp for BMP (sharp's libvips has no BMP reader).
 * Failures come back as a skip reason a person can act on, never as a throw.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { decode as decodeBmp } from 'fast-bmp'
import sharp, { type Sharp } from 'sharp'
import type { SkipReason } from '../../preload/contract'
import { decodeSimplePng, toChannels } from './fastPng'
import { sniffFormat } from './imageFiles'

/** Images above this many pixels are refused as likely decompression bombs. */
export const maxInputPixels = 40_000_000

export interface DecodeOptions {
  size: number
  channels: 1 | 3
  fit: 'cover' | 'contain'
}

export type Decoded =
  | { ok: true; pixels: Uint8Array; sha256: string; width: number; height: number }
  | { ok: false; reason: SkipReason; detail: string }

const fail = (reason: SkipReason, detail: string): Decoded => ({ ok: false, reason, detail })

/** Reads the header only: width and height, or a skip reason. */
export async function probeImage(
  path: string
): Promise<{ width: number; height: number } | undefined> {
  try {
    const bytes = await readFile(path)
    if (sniffFormat(bytes) === 'bmp') {
      const bmp = decodeBmp(bytes)
      return { width: bmp.width, height: bmp.height }
    }
    const meta = await sharp(bytes, { limitInputPixels: maxInputPixels }).metadata()
    return meta.width && meta.height ? { width: meta.width, height: meta.height } : undefined
  } catch {
    return undefined
  }
}

function bmpToSharp(bytes: Buffer): Sharp {
  const bmp = decodeBmp(bytes)
  if (bmp.width * bmp.height > maxInputPixels) throw new Error('Input image exceeds pixel limit')
  const channels = bmp.channels as 1 | 2 | 3 | 4
  const data = bmp.data as Uint8Array
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
    raw: { width: bmp.width, height: bmp.height, channels }
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
  try {
    // First frame of animations; alpha dropped like PIL's convert('RGB'); CMYK, 16-bit and
    // palette images all end as 8-bit sRGB or grey.
    let image =
      format === 'bmp'
        ? bmpToSharp(bytes)
        : sharp(bytes, { limitInputPixels: maxInputPixels, failOn: 'warning' })
    image = image
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
    const message = (error as Error).message
    if (/pixel limit/i.test(message))
      return fail(
        'too-large',
        `more than ${maxInputPixels.toLocaleString('en')} pixels (decompression-bomb guard)`
      )
    return fail('corrupt', `cannot be decoded: ${message.split('\n')[0].replace(/:\s*$/, '')}`)
  }
}
