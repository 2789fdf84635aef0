import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeSimplePng, toChannels } from '../../../main/datasets/fastPng'

/** Noise plus gradients, so libpng's adaptive filtering uses every filter type somewhere. */
function pattern(width: number, height: number, channels: number): Buffer {
  const data = Buffer.alloc(width * height * channels)
  let state = 12345
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0
    const x = Math.floor(i / channels) % width
    const y = Math.floor(i / channels / width)
    data[i] = i % 7 === 0 ? state >>> 24 : (x * 9 + y * 5 + (i % channels) * 40) & 0xff
  }
  return data
}

describe('the fast PNG path', () => {
  it.each([1, 2, 3, 4])(
    'decodes %i-channel 8-bit PNGs to exactly the encoded bytes',
    async (channels) => {
      const raw = pattern(37, 23, channels)
      let image = sharp(raw, {
        raw: { width: 37, height: 23, channels: channels as 1 | 2 | 3 | 4 }
      })
      if (channels <= 2) image = image.toColourspace('b-w') // else sharp writes RGB
      const png = await image.png({ adaptiveFiltering: true, compressionLevel: 9 }).toBuffer()
      const decoded = decodeSimplePng(png)!
      expect(decoded).toMatchObject({ width: 37, height: 23, channels })
      // PNG is lossless: the decoded bytes are the bytes that were encoded.
      expect(Buffer.from(decoded.data).equals(raw)).toBe(true)
    }
  )

  it('leaves palette, 16-bit and broken PNGs to libvips', async () => {
    const rgb = pattern(16, 16, 3)
    const palette = await sharp(rgb, { raw: { width: 16, height: 16, channels: 3 } })
      .png({ palette: true })
      .toBuffer()
    const deep = await sharp(rgb, { raw: { width: 16, height: 16, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer()
    expect(decodeSimplePng(palette)).toBeUndefined()
    expect(decodeSimplePng(deep)).toBeUndefined()
    const whole = await sharp(rgb, { raw: { width: 16, height: 16, channels: 3 } })
      .png()
      .toBuffer()
    expect(decodeSimplePng(whole.subarray(0, whole.length - 40))).toBeUndefined()
    expect(decodeSimplePng(Buffer.from('not a png at all, no, not at all'))).toBeUndefined()
  })

  it('converts channels: alpha dropped, grey replicated, colour to luma', () => {
    const image = {
      width: 2,
      height: 1,
      channels: 4,
      data: Uint8Array.of(255, 0, 0, 9, 10, 20, 30, 9)
    }
    expect(Array.from(toChannels(image, 3))).toEqual([255, 0, 0, 10, 20, 30])
    expect(Array.from(toChannels(image, 1))).toEqual([76, 18])
    expect(
      Array.from(
        toChannels({ width: 2, height: 1, channels: 2, data: Uint8Array.of(7, 1, 8, 1) }, 3)
      )
    ).toEqual([7, 7, 7, 8, 8, 8])
  })
})
