/**
 * The generator scores against references computed without the module: closed forms for Gaussians
 * (diagonal, commuting and 2×2 covariances), scipy-computed values, numpy.cov on a hand example,
 * and hand-worked Inception-Score-style and conditional-accuracy cases.
 */
import { describe, expect, it } from 'vitest'
import {
  conditionalAccuracy,
  featureStatistics,
  frechetDistance,
  inceptionStyleScore,
  type FeatureStatistics
} from '../../../main/engine/generative/scores'

type Rows = number[][]

const stats = (mean: number[], covariance: Rows, count = 1000): FeatureStatistics => ({
  mean: Float64Array.from(mean),
  covariance: Float64Array.from(covariance.flat()),
  dim: mean.length,
  count
})

const matmul = (a: Rows, b: Rows): Rows =>
  a.map((row) => b[0].map((_, c) => row.reduce((s, v, k) => s + v * b[k][c], 0)))
const transpose = (a: Rows): Rows => a[0].map((_, c) => a.map((row) => row[c]))
const diag = (values: number[]): Rows =>
  values.map((v, r) => values.map((_, c) => (r === c ? v : 0)))
const trace = (a: Rows): number => a.reduce((s, row, i) => s + row[i], 0)

/** Seeded uniform (mulberry32) feeding Box–Muller standard normals. */
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

/** `n` rows of μ + L·ε, so the covariance is L Lᵀ. */
function sampleGaussian(n: number, mean: number[], factor: Rows, seed: number): Float32Array {
  const dim = mean.length
  const draw = normals(seed)
  const out = new Float32Array(n * dim)
  const eps = new Float64Array(dim)
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) eps[d] = draw()
    for (let r = 0; r < dim; r++) {
      let v = mean[r]
      for (let c = 0; c <= r; c++) v += factor[r][c] * eps[c]
      out[i * dim + r] = v
    }
  }
  return out
}

/** A lower-triangular Cholesky factor with a non-trivial correlation structure. */
const dim8 = 8
const factorA: Rows = Array.from({ length: dim8 }, (_, r) =>
  Array.from({ length: dim8 }, (_, c) =>
    c > r ? 0 : c === r ? 1 + 0.1 * r : 0.4 * Math.cos(r + 2 * c)
  )
)
const meanA = Array.from({ length: dim8 }, (_, d) => 0.1 * d)

describe('featureStatistics', () => {
  it('matches numpy.mean and the unbiased numpy.cov on a hand example', () => {
    // numpy.cov(X.T) for X = [[1,2,0],[3,1,1],[5,0,2],[-1,5,1]]
    const s = featureStatistics(Float32Array.from([1, 2, 0, 3, 1, 1, 5, 0, 2, -1, 5, 1]), 4, 3)
    expect(s.count).toBe(4)
    expect([...s.mean]).toEqual([2, 2, 1])
    const expected = [20, -16, 4, -16, 14, -2, 4, -2, 2].map((v) => v / 3)
    s.covariance.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12))
  })

  it('keeps float64 precision for large offsets stored as float32', () => {
    // 1e4 and 1e4 + 1 are exact in float32, but a float32 running sum of 2e5 of them is not.
    const n = 200_000
    const features = Float32Array.from({ length: n }, (_, i) => 1e4 + (i % 2))
    const s = featureStatistics(features, n, 1)
    expect(s.mean[0]).toBeCloseTo(10_000.5, 9)
    expect(s.covariance[0]).toBeCloseTo((0.25 * n) / (n - 1), 9)
  })

  it('refuses fewer than two images and too few values', () => {
    expect(() => featureStatistics(new Float32Array(3), 1, 3)).toThrow(/two images/)
    expect(() => featureStatistics(new Float32Array(5), 2, 3)).toThrow(/2×3/)
  })
})

describe('frechetDistance', () => {
  it('is ~0 between statistics of the same samples', () => {
    const x = sampleGaussian(5000, meanA, factorA, 7)
    const s = featureStatistics(x, 5000, dim8)
    let scale = 0
    for (let d = 0; d < dim8; d++) scale += 2 * s.covariance[d * dim8 + d]
    expect(frechetDistance(s, s) / scale).toBeLessThan(1e-9)
    // Same rows in reverse order: rounding differs, the distance must not.
    const reversed = new Float32Array(x.length)
    for (let i = 0; i < 5000; i++)
      reversed.set(x.subarray(i * dim8, (i + 1) * dim8), (4999 - i) * dim8)
    expect(frechetDistance(s, featureStatistics(reversed, 5000, dim8)) / scale).toBeLessThan(1e-9)
  })

  it('is the closed form for diagonal covariances', () => {
    const mu1 = [0.3, -1, 2, 0, 5]
    const mu2 = [1, 1, -0.5, 0, 4.5]
    const s1 = [1, 4, 0.25, 9, 2]
    const s2 = [4, 1, 0.25, 0.01, 3]
    let expected = 0
    for (let i = 0; i < mu1.length; i++)
      expected += (mu1[i] - mu2[i]) ** 2 + s1[i] + s2[i] - 2 * Math.sqrt(s1[i] * s2[i])
    expect(frechetDistance(stats(mu1, diag(s1)), stats(mu2, diag(s2)))).toBeCloseTo(expected, 9)
  })

  it('matches Tr √M = √(tr M + 2√det M) for non-commuting 2×2 covariances, both ways round', () => {
    const ca = [
      [3, 1.2],
      [1.2, 2]
    ]
    const cb = [
      [0.5, -0.4],
      [-0.4, 1.5]
    ]
    const m = matmul(ca, cb)
    expect(matmul(cb, ca)).not.toEqual(m)
    const det = m[0][0] * m[1][1] - m[0][1] * m[1][0]
    const traceRoot = Math.sqrt(trace(m) + 2 * Math.sqrt(det))
    const expected = (1 - 0) ** 2 + (-2 - 0.5) ** 2 + trace(ca) + trace(cb) - 2 * traceRoot
    const a = stats([1, -2], ca)
    const b = stats([0, 0.5], cb)
    expect(frechetDistance(a, b)).toBeCloseTo(expected, 9)
    expect(frechetDistance(b, a)).toBeCloseTo(expected, 9)
    // scipy: (‖Δμ‖² + Tr Σa + Tr Σb − 2 Tr sqrtm(Σa Σb)).real
    expect(frechetDistance(a, b)).toBeCloseTo(9.026787284205238, 9)
  })

  it('is Σ(√aᵢ − √bᵢ)² for covariances sharing a rotated eigenbasis', () => {
    const givens = (i: number, j: number, angle: number): Rows => {
      const g = diag([1, 1, 1, 1])
      g[i][i] = g[j][j] = Math.cos(angle)
      g[i][j] = -Math.sin(angle)
      g[j][i] = Math.sin(angle)
      return g
    }
    const r = matmul(matmul(givens(0, 1, 0.7), givens(1, 3, -1.1)), givens(0, 2, 0.4))
    const ea = [2, 0.5, 3, 1e-3]
    const eb = [0.7, 0.5, 6, 2]
    const rotate = (e: number[]): Rows => matmul(matmul(r, diag(e)), transpose(r))
    const expected = ea.reduce((s, a, i) => s + (Math.sqrt(a) - Math.sqrt(eb[i])) ** 2, 0)
    const mean = [0, 0, 0, 0]
    expect(frechetDistance(stats(mean, rotate(ea)), stats(mean, rotate(eb)))).toBeCloseTo(
      expected,
      9
    )
  })

  it('estimates the exact distance from 20,000 samples of correlated 8-D Gaussians', () => {
    const n = 20_000
    const a = featureStatistics(sampleGaussian(n, meanA, factorA, 1), n, dim8)
    const sigmaA = matmul(factorA, transpose(factorA))

    // Σb = c²Σa commutes with Σa, so FD = ‖Δμ‖² + (1 − c)² Tr Σa exactly. The trace term is a small
    // difference of large estimated traces, so over seeds the estimate strays up to ~4%.
    const c = 1.5
    const meanB = meanA.map((m, d) => m + (d % 2 ? 0.5 : -0.3))
    const b = featureStatistics(
      sampleGaussian(
        n,
        meanB,
        factorA.map((row) => row.map((v) => c * v)),
        2
      ),
      n,
      dim8
    )
    const exactScaled =
      meanA.reduce((s, m, d) => s + (m - meanB[d]) ** 2, 0) + (1 - c) ** 2 * trace(sigmaA)
    expect(Math.abs(frechetDistance(a, b) - exactScaled) / exactScaled).toBeLessThan(0.05)

    // A differently shaped Σb: the reference comes from the exact statistics.
    const factorB = factorA.map((row, r) => row.map((v, col) => (col === r ? 2 - 0.2 * r : -v)))
    const sigmaB = matmul(factorB, transpose(factorB))
    const exact = frechetDistance(stats(meanA, sigmaA), stats(meanB, sigmaB))
    const estimated = frechetDistance(
      a,
      featureStatistics(sampleGaussian(n, meanB, factorB, 3), n, dim8)
    )
    expect(exact).toBeGreaterThan(1)
    expect(Math.abs(estimated - exact) / exact).toBeLessThan(0.03)
  })

  it('refuses different feature sizes and statistics of fewer than two images', () => {
    const one = stats([0], [[1]])
    const two = stats([0, 0], diag([1, 1]))
    expect(() => frechetDistance(one, two)).toThrow(/1 vs 2/)
    expect(() => frechetDistance(two, stats([0, 0], diag([1, 1]), 1))).toThrow(/two images/)
  })
})

describe('inceptionStyleScore', () => {
  it('is 1 when every image gets the same class distribution', () => {
    const rows = Float32Array.from({ length: 5 * 3 }, (_, i) => [0.1, 0.6, 0.3][i % 3])
    expect(inceptionStyleScore(rows, 5, 3)).toBeCloseTo(1, 9)
  })

  it('is K for confident predictions spread evenly over K classes', () => {
    const k = 5
    const count = 3 * k
    const oneHot = Float32Array.from({ length: count * k }, (_, i) =>
      i % k === Math.floor(i / k) % k ? 1 : 0
    )
    expect(Math.abs(inceptionStyleScore(oneHot, count, k) - k)).toBeLessThan(1e-6)
  })

  it('is (4/3)^¾ for the rows [1, 0] and [½, ½]', () => {
    // p(y) = [¾, ¼]; KL₁ = ln(4/3), KL₂ = ½ln(2/3) + ½ln 2 = ½ln(4/3); mean = ¾ln(4/3).
    expect(inceptionStyleScore(Float32Array.from([1, 0, 0.5, 0.5]), 2, 2)).toBeCloseTo(
      (4 / 3) ** 0.75,
      9
    )
  })
})

describe('conditionalAccuracy', () => {
  it('counts samples recognised as the class they were generated for, per class', () => {
    const requested = [0, 0, 0, 0, 1, 1, 2, 2, 2]
    const predicted = [0, 0, 1, 0, 1, 1, 0, 1, 2]
    const result = conditionalAccuracy(predicted, requested, 4)
    expect(result.overall).toBeCloseTo(6 / 9, 12)
    // Class 3 was never requested.
    expect(result.perClass).toEqual([0.75, 1, 1 / 3, 0])
  })

  it('refuses mismatched lengths and classes out of range', () => {
    expect(() => conditionalAccuracy([0, 1], [0], 2)).toThrow(/2 predictions/)
    expect(() => conditionalAccuracy([0], [2], 2)).toThrow(/outside/)
  })
})
