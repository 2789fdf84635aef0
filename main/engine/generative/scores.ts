/**
 * The numbers that measure a generator in a classifier's feature space: feature statistics, the
 * Fréchet distance between two Gaussians fitted to them, an Inception-Score-style score, and
 * class-conditional accuracy. Pure functions over typed arrays; ml-matrix does the eigensolves.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix'

export interface FeatureStatistics {
  mean: Float64Array
  /** dim×dim, row-major, unbiased (n − 1), like numpy.cov. */
  covariance: Float64Array
  dim: number
  count: number
}

/**
 * Float64 accumulation: float32 sums over tens of thousands of rows lose the digits that the
 * Fréchet distance's difference of large traces then amplifies.
 */
export function featureStatistics(
  features: ArrayLike<number>,
  count: number,
  dim: number
): FeatureStatistics {
  if (count < 2) throw new Error('Feature statistics need at least two images.')
  if (features.length < count * dim)
    throw new Error(`Expected ${count}×${dim} features, got ${features.length} values.`)
  const mean = new Float64Array(dim)
  for (let i = 0; i < count; i++) for (let d = 0; d < dim; d++) mean[d] += features[i * dim + d]
  for (let d = 0; d < dim; d++) mean[d] /= count
  const covariance = new Float64Array(dim * dim)
  const row = new Float64Array(dim)
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dim; d++) row[d] = features[i * dim + d] - mean[d]
    for (let a = 0; a < dim; a++) {
      const ra = row[a]
      if (ra === 0) continue
      for (let b = a; b < dim; b++) covariance[a * dim + b] += ra * row[b]
    }
  }
  for (let a = 0; a < dim; a++)
    for (let b = a; b < dim; b++) {
      const v = covariance[a * dim + b] / (count - 1)
      covariance[a * dim + b] = v
      covariance[b * dim + a] = v
    }
  return { mean, covariance, dim, count }
}

const toMatrix = (values: Float64Array, dim: number): Matrix =>
  new Matrix(
    Array.from({ length: dim }, (_, r) => Array.from(values.subarray(r * dim, (r + 1) * dim)))
  )

/**
 * ‖μa − μb‖² + Tr Σa + Tr Σb − 2·Tr √(Σa Σb). The trace of the square root is taken from the
 * symmetric matrix √Σa Σb √Σa (same eigenvalues as Σa Σb), so no complex roots or scipy-style
 * sqrtm iterations are needed; tiny negative eigenvalues from rounding are clamped to 0.
 */
export function frechetDistance(a: FeatureStatistics, b: FeatureStatistics): number {
  if (a.dim !== b.dim)
    throw new Error(
      `Feature sizes differ (${a.dim} vs ${b.dim}); use the same classifier for both.`
    )
  if (a.count < 2 || b.count < 2)
    throw new Error('The Fréchet distance needs statistics of at least two images on each side.')
  const dim = a.dim
  let meanTerm = 0
  let traces = 0
  for (let d = 0; d < dim; d++) {
    meanTerm += (a.mean[d] - b.mean[d]) ** 2
    traces += a.covariance[d * dim + d] + b.covariance[d * dim + d]
  }
  const eigA = new EigenvalueDecomposition(toMatrix(a.covariance, dim), { assumeSymmetric: true })
  const vectors = eigA.eigenvectorMatrix
  const roots = eigA.realEigenvalues.map((v) => Math.sqrt(Math.max(v, 0)))
  // √Σa Σb √Σa = V R (Vᵀ Σb V) R Vᵀ with √Σa = V R Vᵀ, so R (Vᵀ Σb V) R has the same eigenvalues
  // and costs two matrix products instead of four (they dominate beside the eigensolves).
  const rotated = vectors.transpose().mmul(toMatrix(b.covariance, dim)).mmul(vectors)
  const inner = new Matrix(dim, dim)
  for (let r = 0; r < dim; r++)
    for (let c = 0; c <= r; c++) {
      // Symmetrise: rounding makes the product very slightly asymmetric.
      const v = ((rotated.get(r, c) + rotated.get(c, r)) / 2) * roots[r] * roots[c]
      inner.set(r, c, v)
      inner.set(c, r, v)
    }
  const eig = new EigenvalueDecomposition(inner, { assumeSymmetric: true })
  const traceRoot = eig.realEigenvalues.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0)
  return Math.max(0, meanTerm + traces - 2 * traceRoot)
}

/**
 * exp(E_x[KL(p(y|x) ‖ p(y))]): 1 when every sample gets the same class distribution, up to the
 * class count when samples are confidently classified and cover the classes evenly.
 */
export function inceptionStyleScore(
  probabilities: ArrayLike<number>,
  count: number,
  classes: number
): number {
  const eps = 1e-12
  const marginal = new Float64Array(classes)
  for (let i = 0; i < count; i++)
    for (let c = 0; c < classes; c++) marginal[c] += probabilities[i * classes + c] / count
  let kl = 0
  for (let i = 0; i < count; i++)
    for (let c = 0; c < classes; c++) {
      const p = probabilities[i * classes + c]
      if (p > 0) kl += p * (Math.log(p + eps) - Math.log(marginal[c] + eps))
    }
  return Math.exp(kl / count)
}

/**
 * Per class as well as overall, because a conditional generator can ignore a few labels while the
 * overall share still looks good.
 */
export function conditionalAccuracy(
  predicted: ArrayLike<number>,
  requested: ArrayLike<number>,
  classes: number
): { overall: number; perClass: number[] } {
  const right = new Array<number>(classes).fill(0)
  const total = new Array<number>(classes).fill(0)
  let correct = 0
  if (predicted.length !== requested.length)
    throw new Error(`${predicted.length} predictions for ${requested.length} requested classes.`)
  for (let i = 0; i < requested.length; i++) {
    if (!(requested[i] >= 0 && requested[i] < classes))
      throw new Error(`Requested class ${requested[i]} is outside 0..${classes - 1}.`)
    total[requested[i]]++
    if (predicted[i] === requested[i]) {
      right[requested[i]]++
      correct++
    }
  }
  return {
    overall: requested.length ? correct / requested.length : 0,
    perClass: right.map((r, c) => (total[c] ? r / total[c] : 0))
  }
}
