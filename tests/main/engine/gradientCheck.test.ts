/**
 * Gradient check of a whole model on the wasm backend with the training kernels: the analytic
 * gradient (tf.grads, which runs the new kernels) against (1) the cpu backend's analytic gradient
 * and (2) a central finite difference of the loss along random directions.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
// Vitest loads tfjs-core's ES build, which (unlike the Node bundle the app uses) has no gradients.
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import { beforeAll, describe, expect, it } from 'vitest'
import { registerWasmTrainingKernels } from '../../../main/engine/wasmKernels'

function seeded(shape: number[], seed: number, scale = 0.5): tf.Tensor {
  let state = seed * 747796405
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => {
    state = (state * 1664525 + 1013904223) >>> 0
    return ((state / 2 ** 32) * 2 - 1) * scale
  })
  return tf.tensor(values, shape)
}

const shapes = {
  conv: [3, 3, 2, 4],
  depthwise: [3, 3, 4, 2],
  conv2: [2, 2, 8, 3],
  dense: [3 * 3 * 3, 5]
}

/** conv(stride 2, same) → tanh → depthwise(×2, same) → tanh → maxpool 2 → conv(valid) → dense → softmax CE. */
function loss(params: tf.Tensor[], x: tf.Tensor4D, labels: tf.Tensor2D): tf.Scalar {
  const [conv, depthwise, conv2, dense] = params as [
    tf.Tensor4D,
    tf.Tensor4D,
    tf.Tensor4D,
    tf.Tensor2D
  ]
  let h: tf.Tensor4D = tf.tanh(tf.conv2d(x, conv, 2, 'same')) // [B, 8, 8, 4]
  h = tf.tanh(tf.depthwiseConv2d(h, depthwise, 1, 'same')) // [B, 8, 8, 8]
  h = tf.maxPool(h, 2, 2, 'valid') // [B, 4, 4, 8]
  h = tf.conv2d(h, conv2, 1, 'valid') // [B, 3, 3, 3]
  const logits = tf.matMul(tf.reshape(h, [x.shape[0], -1]), dense) // [B, 5]
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar
}

function inputs(): { x: tf.Tensor4D; labels: tf.Tensor2D; params: tf.Tensor[] } {
  return {
    x: seeded([3, 15, 15, 2], 1, 1) as tf.Tensor4D,
    labels: tf.oneHot(tf.tensor1d([0, 3, 4], 'int32'), 5) as tf.Tensor2D,
    params: Object.values(shapes).map((shape, i) => seeded(shape, 10 + i))
  }
}

async function analyticGradients(backend: 'cpu' | 'wasm'): Promise<Float32Array[]> {
  await tf.setBackend(backend)
  const { x, labels, params } = inputs()
  const grads = tf.grads((...p: tf.Tensor[]) => loss(p, x, labels))(params)
  const values = await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>))
  tf.dispose([x, labels, ...params, ...grads])
  return values
}

describe('gradient check of a full model on wasm', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm')
    registerWasmTrainingKernels()
  })

  it('matches the cpu backend to 1e-4', async () => {
    const cpu = await analyticGradients('cpu')
    const wasm = await analyticGradients('wasm')
    cpu.forEach((expected, i) => {
      const scale = Math.max(1e-3, ...expected.map(Math.abs))
      const diff = Math.max(...expected.map((v, j) => Math.abs(v - wasm[i][j])))
      expect(diff / scale).toBeLessThan(1e-4)
    })
  })

  it('matches a central finite difference along random directions', async () => {
    const gradients = await analyticGradients('wasm')
    const { x, labels, params } = inputs()
    // Small enough that few max-pool windows switch their maximum within ±ε, large enough for float32.
    const epsilon = 1e-3
    for (let trial = 0; trial < 4; trial++) {
      const directions = params.map((p, i) => seeded(p.shape, 100 + trial * 10 + i, 1))
      const analytic = directions.reduce(
        (sum, d, i) => sum + tf.sum(tf.mul(d, tf.tensor(gradients[i], d.shape))).dataSync()[0],
        0
      )
      const shifted = (sign: number): number =>
        tf.tidy(
          () =>
            loss(
              params.map((p, i) => tf.add(p, tf.mul(directions[i], sign * epsilon))),
              x,
              labels
            ).dataSync()[0]
        )
      const numeric = (shifted(1) - shifted(-1)) / (2 * epsilon)
      expect(Math.abs(analytic - numeric)).toBeLessThan(1e-2 * Math.max(1, Math.abs(numeric)))
      tf.dispose(directions)
    }
    tf.dispose([x, labels, ...params])
  })
})
