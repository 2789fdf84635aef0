/**
 * The maths of generative classifiers, on cases whose answers are known: Bayes' rule with given
 * likelihoods and priors, the out-of-distribution threshold, and the importance-weighted bound on
 * a linear-Gaussian model whose exact log-likelihood has a closed form.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  logClassPrior,
  logPosterior,
  outOfDistribution,
  predictFromScores,
  quantile
} from '../../../main/engine/generative/classifyImages'
import { importanceWeightedBound } from '../../../main/engine/models/generative/generativeBayes'
import { gaussianSigma } from '../../../main/engine/models/generative/vae'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe("Bayes' rule on known likelihoods", () => {
  it('gives the posterior p(x|c)p(c) / Σ p(x|c′)p(c′)', () => {
    // p(x|c) = 0.2, 0.5, 0.3 and p(c) = 0.5, 0.25, 0.25 → joint 0.1, 0.125, 0.075 (sum 0.3).
    const post = logPosterior([0.2, 0.5, 0.3].map(Math.log), [0.5, 0.25, 0.25].map(Math.log)).map(
      Math.exp
    )
    expect(post[0]).toBeCloseTo(0.1 / 0.3, 10)
    expect(post[1]).toBeCloseTo(0.125 / 0.3, 10)
    expect(post[2]).toBeCloseTo(0.075 / 0.3, 10)
  })

  it('lets the prior overturn a likelihood, and scores the truth', () => {
    // Image 0: likelihood favours class 1 (0.6 vs 0.4), the prior (0.8 vs 0.2) favours class 0.
    const scores = Float32Array.from([0.4, 0.6, 0.9, 0.1].map(Math.log))
    const prior = [0.8, 0.2].map(Math.log)
    const result = predictFromScores(scores, [10, 11], [0, 0], prior)
    expect(result.predicted).toEqual([0, 0])
    expect(result.confidence[0]).toBeCloseTo(0.32 / 0.44, 5)
    expect(result.accuracy).toBe(1)
    const uniform = predictFromScores(scores, [10, 11], [0, 0], [0, 0])
    expect(uniform.predicted).toEqual([1, 0])
    expect(uniform.loss).toBeCloseTo(-(Math.log(0.4) + Math.log(0.9)) / 2, 5)
  })

  it('estimates the class prior from labelled images, smoothed', () => {
    expect(logClassPrior([0, 0, 0, 1], 2).map(Math.exp)).toEqual([4 / 6, 2 / 6])
  })
})

describe('out-of-distribution threshold', () => {
  it('is the calibration quantile, and flags images below it, least likely first', () => {
    const calibration = Array.from({ length: 101 }, (_, i) => -200 + i)
    expect(quantile(calibration, 0.05)).toBeCloseTo(-195, 10)
    const ood = outOfDistribution(calibration, [-150, -500, -196, -120], [7, 8, 9, 10], 0.05)
    expect(ood).toMatchObject({ threshold: -195, flagged: 2, flaggedIndices: [8, 9] })
    expect(ood.calibrationImages).toBe(101)
  })
})

describe('importance-weighted bound', () => {
  // z ~ N(0, 1), x = w z + N(0, σ² I) with x of 2 pixels: p(x) = N(0, w wᵀ + σ² I).
  const w = [0.3, -0.2]
  const s2 = gaussianSigma ** 2
  const x = [0.25, -0.1]
  const exactLogLikelihood = (): number => {
    const c = [
      [w[0] * w[0] + s2, w[0] * w[1]],
      [w[0] * w[1], w[1] * w[1] + s2]
    ]
    const det = c[0][0] * c[1][1] - c[0][1] * c[1][0]
    const quad = (c[1][1] * x[0] ** 2 - 2 * c[0][1] * x[0] * x[1] + c[0][0] * x[1] ** 2) / det
    return -Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * quad
  }
  const posterior = (): { mean: number; variance: number } => {
    const variance = 1 / (1 + (w[0] ** 2 + w[1] ** 2) / s2)
    return { mean: (variance * (w[0] * x[0] + w[1] * x[1])) / s2, variance }
  }
  const parts = (mean: number, variance: number) => ({
    encode: (input: tf.Tensor4D): [tf.Tensor2D, tf.Tensor2D] => [
      tf.fill([input.shape[0], 1], mean) as tf.Tensor2D,
      tf.fill([input.shape[0], 1], Math.log(variance)) as tf.Tensor2D
    ],
    decode: (z: tf.Tensor2D): tf.Tensor4D =>
      tf.reshape(tf.matMul(z, tf.tensor2d([w], [1, 2])), [-1, 1, 1, 2]) as tf.Tensor4D
  })
  const bound = (mean: number, variance: number, k: number): number =>
    tf.tidy(() => {
      const image = tf.tensor4d(x, [1, 1, 1, 2])
      const eps = tf.randomNormal([k, 1, 1], 0, 1, 'float32', 5) as tf.Tensor3D
      return importanceWeightedBound(
        parts(mean, variance),
        image,
        tf.tensor1d([0], 'int32'),
        eps,
        'gaussian'
      ).dataSync()[0]
    })

  it('is exact with the true posterior as q, even for one sample', () => {
    const { mean, variance } = posterior()
    expect(bound(mean, variance, 1)).toBeCloseTo(exactLogLikelihood(), 3)
  })

  it('tightens towards log p(x) with more samples under a poor q', () => {
    const exact = exactLogLikelihood()
    const elbo = bound(0.5, 0.5, 1)
    const iwae = bound(0.5, 0.5, 2000)
    expect(elbo).toBeLessThan(exact)
    expect(iwae).toBeGreaterThan(elbo)
    expect(Math.abs(iwae - exact)).toBeLessThan(0.05)
  })
})
