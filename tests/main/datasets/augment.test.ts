import { describe, expect, it } from 'vitest'
import { augmentationSchema } from '../../../preload/contract'
import { augmentBatch, augmentImage } from '../../../main/datasets/augment'
import { channelStats, normalise } from '../../../main/datasets/normalize'
import { seededRandom } from '../../../main/platform/random'

const shape = { height: 4, width: 4, channels: 1 }
const ramp = Uint8Array.from({ length: 16 }, (_, i) => i * 10) // row-major 0..150
const off = augmentationSchema.parse({})

describe('augmentation', () => {
  it('leaves an image unchanged when everything is off', () => {
    expect(Array.from(augmentImage(ramp, shape, off, seededRandom(1)))).toEqual(Array.from(ramp))
  })

  it('flips horizontally (about half the time, by the seed)', () => {
    const flips = Array.from({ length: 40 }, (_, seed) =>
      augmentImage(ramp, shape, { ...off, flip: true }, seededRandom(seed))
    )
    const mirrored = [30, 20, 10, 0, 70, 60, 50, 40, 110, 100, 90, 80, 150, 140, 130, 120]
    const flipped = flips.filter((f) => Array.from(f).join() === mirrored.join()).length
    const same = flips.filter((f) => Array.from(f).join() === Array.from(ramp).join()).length
    expect(flipped + same).toBe(40)
    expect(flipped).toBeGreaterThan(10)
    expect(same).toBeGreaterThan(10)
  })

  it('random crops shift the content by at most the padding, filling with zeros', () => {
    for (let seed = 0; seed < 20; seed++) {
      const out = augmentImage(ramp, shape, { ...off, cropPadding: 1 }, seededRandom(seed))
      const kept = Array.from(out).filter((v) => v !== 0)
      expect(kept.length).toBeGreaterThanOrEqual(8) // a 1-pixel shift keeps at least 3×3 of 4×4
      for (const v of kept) expect(Array.from(ramp)).toContain(v)
    }
  })

  it('cuts out a zero square and jitters brightness within range', () => {
    const bright = new Uint8Array(16).fill(200)
    const cut = augmentImage(bright, shape, { ...off, cutout: 2 }, seededRandom(3))
    const zeros = Array.from(cut).filter((v) => v === 0).length
    expect(zeros).toBeGreaterThan(0)
    expect(zeros).toBeLessThanOrEqual(4)
    const jittered = augmentImage(bright, shape, { ...off, brightness: 0.1 }, seededRandom(4))
    for (const v of jittered) expect(Math.abs(v - 200)).toBeLessThanOrEqual(26)
  })

  it('is reproducible for a seed and rotates without leaving the value range', () => {
    const rgb = Uint8Array.from({ length: 2 * 8 * 8 * 3 }, (_, i) => (i * 37) % 256)
    const all = {
      flip: true,
      cropPadding: 2,
      rotateDegrees: 15,
      brightness: 0.2,
      contrast: 0.2,
      cutout: 3
    }
    const a = augmentBatch(rgb, 2, { height: 8, width: 8, channels: 3 }, all, 42)
    const b = augmentBatch(rgb, 2, { height: 8, width: 8, channels: 3 }, all, 42)
    const c = augmentBatch(rgb, 2, { height: 8, width: 8, channels: 3 }, all, 43)
    expect(Array.from(a)).toEqual(Array.from(b))
    expect(Array.from(a)).not.toEqual(Array.from(c))
  })
})

describe('normalisation', () => {
  const pixels = Uint8Array.of(0, 255, 51, 102) // two 1×1 images with 2 channels each
  it('maps to [0, 1] and [−1, 1]', () => {
    expect(Array.from(normalise(Uint8Array.of(0, 255, 51), 1, 'unit'))).toEqual([
      0,
      1,
      Math.fround(0.2)
    ])
    expect(Array.from(normalise(Uint8Array.of(0, 255), 1, 'symmetric'))).toEqual([-1, 1])
  })

  it('standardises per channel with statistics of the given images', () => {
    const stats = channelStats(pixels, 2, 2, [0, 1])
    expect(stats.mean[0]).toBeCloseTo(0.1, 6)
    expect(stats.mean[1]).toBeCloseTo(0.7, 6)
    expect(stats.std[0]).toBeCloseTo(0.1, 6)
    const out = normalise(pixels, 2, 'standardize', stats)
    expect(Array.from(out).map((v) => Math.round(v * 1000) / 1000)).toEqual([-1, 1, 1, -1])
  })
})
