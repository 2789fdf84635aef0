/**
 * The generator scores against closed forms: the Fréchet distance between known Gaussians (exact
 * statistics, and statistics estimated from seeded samples), the Inception-Score-style score at its
 * two ends, and conditional accuracy.
 */
import { describe, expect, it } from 'vitest'
import {
  conditionalAccuracy,
  featureStatistics,
  frechetDistance,
  inceptionStyleScore,
  type FeatureStatistics
} from '../../../main/compute/generative/scores'

const stats = (mean: number[], covariance: number[][]): FeatureStatistics => ({
  mean: Float64Array.from(mean),
  covariance: Float64Array.from(covariance.flat()),
  dim: mean.length,
  count: 1000
})

/** Seeded standard normals (mulberry32 + Box–Muller). */
function normals(seed: number): () => number {
  let s = seed >>> 0
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
}

describe('Fréchet distance', () => {
  it('is the closed form for diagonal Gaussians', () => {
    const a = stats(
      [0, 1, 2],
      [
        [1, 0, 0],
        [0, 4, 0],
        [0, 0, 9]
      ]
    )
    const b = stats(
      [1, 1, 0],
      [
        [4, 0, 0],
        [0, 4, 0],
        [0, 0, 1]
      ]
    )
    // ‖μa − μb‖² + Σ (σa + σb − 2√(σa σb)) = 5 + (1 + 4 − 4) + 0 + (9 + 1 − 6)
    expect(frechetDistance(a, b)).toBeCloseTo(10, 9)
    expect(frechetDistance(a, a)).toBeCloseTo(0, 9)
  })

  it('matches Tr √M = √(tr M + 2√det M) for 2×2 covariances that do not commute', () => {
    const ca = [
      [2, 0.8],
      [0.8, 1]
    ]
    const cb = [
      [1, -0.3],
      [-0.3, 0.5]
    ]
    const m = [
      [ca[0][0] * cb[0][0] + ca[0][1] * cb[1][0], ca[0][0] * cb[0][1] + ca[0][1] * cb[1][1]],
      [ca[1][0] * cb[0][0] + ca[1][1] * cb[1][0], ca[1][0] * cb[0][1] + ca[1][1] * cb[1][1]]
    ]
    const det = m[0][0] * m[1][1] - m[0][1] * m[1][0]
    const traceRoot = Math.sqrt(m[0][0] + m[1][1] + 2 * Math.sqrt(det))
    const expected = 0.5 ** 2 + 3 + 1.5 - 2 * traceRoot
    expect(frechetDistance(stats([0.5, 0], ca), stats([0, 0], cb))).toBeCloseTo(expected, 9)
  })

  it('estimates the exact distance from 20,000 samples of two correlated 8-D Gaussians', () => {
    const dim = 8
    const n = 20_000
    const draw = normals(42)
    // x = μ + L·ε with a lower-triangular L, so Σ = L Lᵀ.
    const factor = (scale: number): number[][] =>
      Array.from({ length: dim }, (_, r) =>
        Array.from({ length: dim }, (_, c) => (c > r ? 0 : c === r ? scale : 0.3 * scale))
      )
    const sample = (mu: number, l: number[][]) => {
      const out = new Float32Array(n * dim)
      for (let i = 0; i < n; i++) {
        const eps = Array.from({ length: dim }, draw)
        for (let r = 0; r < dim; r++)
          out[i * dim + r] = mu + l[r].reduce((sum, v, c) => sum + v * eps[c], 0)
      }
      return out
    }
    const la = factor(1)
    const lb = factor(1.5)
    const cov = (l: number[][]) =>
      l.map((row) => l.map((other) => row.reduce((s, v, c) => s + v * other[c], 0)))
    const exact = frechetDistance(
      stats(new Array(dim).fill(0), cov(la)),
      stats(new Array(dim).fill(0.5), cov(lb))
    )
    const estimated = frechetDistance(
      featureStatistics(sample(0, la), n, dim),
      featureStatistics(sample(0.5, lb), n, dim)
    )
    expect(exact).toBeGreaterThan(1)
    expect(Math.abs(estimated - exact) / exact).toBeLessThan(0.05)
  })

  it('takes the unbiased covariance, like numpy.cov', () => {
    const s = featureStatistics(Float32Array.from([1, 2, 3, 6, 5, 4]), 3, 2)
    expect([...s.mean]).toEqual([3, 4])
    // numpy.cov([[1, 3, 5], [2, 6, 4]]) = [[4, 2], [2, 4]]
    expect([...s.covariance]).toEqual([4, 2, 2, 4])
  })

  it('refuses features of different sizes and too few images', () => {
    expect(() =>
      frechetDistance(
        stats([0], [[1]]),
        stats(
          [0, 0],
          [
            [1, 0],
            [0, 1]
          ]
        )
      )
    ).toThrow(/same classifier/)
    expect(() => featureStatistics(new Float32Array(2), 1, 2)).toThrow(/two images/)
  })
})

describe('classifier score and conditional accuracy', () => {
  it('is 1 when every sample looks the same and K for confident samples of K classes', () => {
    expect(
      inceptionStyleScore(Float32Array.from([0.2, 0.8, 0.2, 0.8, 0.2, 0.8]), 3, 2)
    ).toBeCloseTo(1, 9)
    const oneHot = Float32Array.from({ length: 40 }, (_, i) =>
      i % 4 === Math.floor(i / 4) % 4 ? 1 : 0
    )
    expect(inceptionStyleScore(oneHot, 10, 4)).toBeGreaterThan(3.5)
    const even = Float32Array.from([1, 0, 0, 1])
    expect(inceptionStyleScore(even, 2, 2)).toBeCloseTo(2, 6)
  })

  it('counts the samples recognised as the class they were generated for', () => {
    const result = conditionalAccuracy([0, 1, 1, 2, 0, 2], [0, 1, 2, 2, 1, 0], 3)
    expect(result.overall).toBeCloseTo(3 / 6, 9)
    expect(result.perClass).toEqual([0.5, 0.5, 0.5])
  })
})
