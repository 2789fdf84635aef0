/**
 * Our FusedBatchNorm gradient (broadcasting where tfjs-core tiles) gives the numbers tfjs-core's
 * own gradient gives, for every input, on the cpu and wasm backends.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import { fusedBatchNormGradConfig as stock } from '@tensorflow/tfjs-core/dist/gradients/FusedBatchNorm_grad'
import { describe, expect, it } from 'vitest'
import { fusedBatchNormGradConfig as ours } from '../../../main/engine/wasmKernels/batchNormGrad'

describe('batch norm gradient without tiling', () => {
  it.each(['cpu', 'wasm'])('matches tfjs-core on %s', async (backend) => {
    await tf.setBackend(backend)
    const x = tf.randomNormal([4, 5, 5, 3], 0, 2, 'float32', 1)
    const dy = tf.randomNormal([4, 5, 5, 3], 0, 1, 'float32', 2)
    const mean = tf.tensor1d([0.1, -0.3, 0.5])
    const variance = tf.tensor1d([1.5, 0.7, 2.2])
    const scale = tf.tensor1d([0.9, 1.1, -0.4])
    const attrs = { varianceEpsilon: 1e-3 }
    const expected = stock.gradFunc(dy, [x, mean, variance, scale], attrs)
    const actual = ours.gradFunc(dy, [x, mean, variance, scale], attrs)
    for (const input of ['x', 'mean', 'variance', 'scale', 'offset']) {
      const a = actual[input]()
      const e = expected[input]()
      expect(a.shape, input).toEqual(e.shape)
      const diff = tf.max(tf.abs(tf.sub(a, e))).dataSync()[0]
      expect(diff, input).toBeLessThan(1e-5)
      expect(tf.max(tf.abs(e)).dataSync()[0], input).toBeGreaterThan(0.01)
    }
  })
})
