/**
 * Every wasm training kernel against the cpu backend (the reference implementation) on random
 * inputs across strides, dilations, padding modes, batch sizes, channel counts and kernel sizes.
 * Tolerance: max |wasm − cpu| ≤ 1e-4 · max(1, max |cpu|) (float32 sums in a different order).
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { registerWasmTrainingKernels } from '../../../main/engine/wasmKernels'

type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]]

/** Deterministic uniform(−1, 1) values, so a failure can be reproduced. */
function randomTensor(shape: number[], seed: number): tf.Tensor {
  let state = seed * 2654435761
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => {
    state = (state * 1664525 + 1013904223) >>> 0
    return (state / 2 ** 32) * 2 - 1
  })
  return tf.tensor(values, shape)
}

/**
 * Runs `compute` on cpu, then on wasm, each time building its inputs afresh from the same seeds.
 * (Moving tensors between backends is avoided: tfjs's wasm→cpu move can leave the cpu copy as a
 * view on wasm memory, which a later heap growth detaches.)
 */
async function onBothBackends(
  compute: () => tf.Tensor
): Promise<{ wasm: Float32Array; cpu: Float32Array }> {
  const run = async (
    backend: 'cpu' | 'wasm'
  ): Promise<{ values: Float32Array; shape: number[] }> => {
    await tf.setBackend(backend)
    const before = tf.memory().numTensors
    const values = tf.tidy(compute)
    const result = { values: (await values.data()) as Float32Array, shape: values.shape }
    values.dispose()
    expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before)
    return result
  }
  const cpu = await run('cpu')
  const wasm = await run('wasm')
  expect(wasm.shape).toEqual(cpu.shape)
  return { wasm: wasm.values, cpu: cpu.values }
}

/** Σ a·b over all elements, as a number. */
const dot = (a: tf.Tensor, b: tf.Tensor): number => tf.sum(tf.mul(a, b)).dataSync()[0]

function expectClose(actual: Float32Array, expected: Float32Array): void {
  let maxDiff = 0
  let scale = 1
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]))
    scale = Math.max(scale, Math.abs(expected[i]))
  }
  expect(maxDiff / scale).toBeLessThanOrEqual(1e-4)
}

const convCases: { x: number[]; k: number[]; cout: number; strides: [number, number]; pad: Pad }[] =
  [
    { x: [2, 9, 9, 3], k: [3, 3], cout: 4, strides: [1, 1], pad: 'valid' },
    { x: [2, 9, 9, 3], k: [3, 3], cout: 4, strides: [1, 1], pad: 'same' },
    { x: [3, 10, 8, 2], k: [3, 3], cout: 5, strides: [2, 2], pad: 'same' },
    { x: [1, 11, 11, 4], k: [3, 3], cout: 2, strides: [2, 2], pad: 'valid' },
    { x: [2, 12, 12, 1], k: [5, 5], cout: 8, strides: [2, 1], pad: 'same' },
    { x: [2, 8, 7, 3], k: [2, 3], cout: 3, strides: [1, 2], pad: 'valid' },
    { x: [4, 7, 7, 8], k: [1, 1], cout: 16, strides: [1, 1], pad: 'valid' },
    { x: [2, 9, 9, 2], k: [3, 3], cout: 3, strides: [3, 3], pad: 'valid' },
    { x: [2, 8, 8, 3], k: [3, 3], cout: 4, strides: [1, 1], pad: 1 },
    {
      x: [2, 9, 10, 3],
      k: [4, 3],
      cout: 4,
      strides: [2, 2],
      pad: [
        [0, 0],
        [1, 2],
        [0, 1],
        [0, 0]
      ]
    },
    { x: [8, 13, 13, 32], k: [3, 3], cout: 64, strides: [1, 1], pad: 'valid' }
  ]

const depthwiseCases: {
  x: number[]
  k: number[]
  mult: number
  strides: [number, number]
  dilations: [number, number]
  pad: Pad
}[] = [
  { x: [2, 9, 9, 3], k: [3, 3], mult: 1, strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { x: [2, 9, 9, 3], k: [3, 3], mult: 2, strides: [1, 1], dilations: [1, 1], pad: 'valid' },
  { x: [3, 10, 10, 4], k: [3, 3], mult: 1, strides: [2, 2], dilations: [1, 1], pad: 'same' },
  { x: [2, 11, 11, 2], k: [3, 3], mult: 3, strides: [1, 1], dilations: [2, 2], pad: 'valid' },
  { x: [1, 12, 12, 5], k: [5, 3], mult: 1, strides: [1, 1], dilations: [2, 1], pad: 'same' },
  {
    x: [2, 9, 9, 3],
    k: [3, 3],
    mult: 1,
    strides: [2, 2],
    dilations: [1, 1],
    pad: [
      [0, 0],
      [1, 1],
      [2, 0],
      [0, 0]
    ]
  }
]

const poolCases: {
  x: number[]
  size: [number, number]
  strides: [number, number]
  pad: 'same' | 'valid'
}[] = [
  { x: [2, 8, 8, 3], size: [2, 2], strides: [2, 2], pad: 'valid' },
  { x: [2, 9, 9, 3], size: [2, 2], strides: [2, 2], pad: 'same' },
  { x: [3, 9, 7, 4], size: [3, 3], strides: [2, 2], pad: 'same' },
  { x: [1, 10, 10, 2], size: [3, 3], strides: [1, 1], pad: 'valid' },
  { x: [16, 26, 26, 32], size: [2, 2], strides: [2, 2], pad: 'valid' }
]

describe('wasm training kernels match the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm')
    registerWasmTrainingKernels()
  })

  it.each(convCases)(
    'Conv2DBackpropFilter and Conv2DBackpropInput: x $x, kernel $k→$cout, strides $strides, pad $pad',
    async (c) => {
      const filterShape = [c.k[0], c.k[1], c.x[3], c.cout] as [number, number, number, number]
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' }
      const inputs = (): { x: tf.Tensor4D; filter: tf.Tensor4D; dy: tf.Tensor4D } => {
        const x = randomTensor(c.x, 1) as tf.Tensor4D
        const filter = randomTensor(filterShape, 2) as tf.Tensor4D
        const dy = randomTensor(tf.conv2d(x, filter, c.strides, c.pad).shape, 3) as tf.Tensor4D
        return { x, filter, dy }
      }
      const filterGrad = await onBothBackends(() => {
        const { x, dy } = inputs()
        return tf
          .engine()
          .runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape }) as tf.Tensor
      })
      expectClose(filterGrad.wasm, filterGrad.cpu)
      const inputGrad = await onBothBackends(() => {
        const { filter, dy } = inputs()
        return tf
          .engine()
          .runKernel(
            'Conv2DBackpropInput',
            { dy, filter },
            { ...attrs, inputShape: c.x }
          ) as tf.Tensor
      })
      expectClose(inputGrad.wasm, inputGrad.cpu)
    }
  )

  it.each(depthwiseCases)(
    'depthwise gradients: x $x, kernel $k ×$mult, strides $strides, dilations $dilations, pad $pad',
    async (c) => {
      const filterShape = [c.k[0], c.k[1], c.x[3], c.mult] as [number, number, number, number]
      const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad }
      const inputs = (): { x: tf.Tensor4D; filter: tf.Tensor4D; dy: tf.Tensor4D } => {
        const x = randomTensor(c.x, 4) as tf.Tensor4D
        const filter = randomTensor(filterShape, 5) as tf.Tensor4D
        const dy = randomTensor(
          tf.depthwiseConv2d(x, filter, c.strides, c.pad, 'NHWC', c.dilations).shape,
          6
        ) as tf.Tensor4D
        return { x, filter, dy }
      }
      const filterGrad = (): tf.Tensor => {
        const { x, dy } = inputs()
        return tf
          .engine()
          .runKernel(
            'DepthwiseConv2dNativeBackpropFilter',
            { x, dy },
            { ...attrs, filterShape }
          ) as tf.Tensor
      }
      const inputGrad = (): tf.Tensor => {
        const { filter, dy } = inputs()
        return tf
          .engine()
          .runKernel(
            'DepthwiseConv2dNativeBackpropInput',
            { dy, filter },
            { ...attrs, inputShape: c.x }
          ) as tf.Tensor
      }
      if (c.dilations[0] === 1 && c.dilations[1] === 1) {
        const dW = await onBothBackends(filterGrad)
        expectClose(dW.wasm, dW.cpu)
        const dX = await onBothBackends(inputGrad)
        expectClose(dX.wasm, dX.cpu)
        return
      }
      // The cpu backend's depthwise gradients ignore dilation, so dilated cases are checked against
      // the adjoint identities of the (dilation-aware) forward convolution instead:
      // <dW, W2> = <dy, conv(x, W2)> and <dX, x2> = <dy, conv(x2, W)> for random W2, x2.
      await tf.setBackend('wasm')
      tf.tidy(() => {
        const { x, filter, dy } = inputs()
        const w2 = randomTensor(filterShape, 9) as tf.Tensor4D
        const x2 = randomTensor(c.x, 10) as tf.Tensor4D
        const conv = (input: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor =>
          tf.depthwiseConv2d(input, w, c.strides, c.pad, 'NHWC', c.dilations)
        const lhsW = dot(filterGrad(), w2)
        const rhsW = dot(dy, conv(x, w2))
        expect(Math.abs(lhsW - rhsW)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(rhsW)))
        const lhsX = dot(inputGrad(), x2)
        const rhsX = dot(dy, conv(x2, filter))
        expect(Math.abs(lhsX - rhsX)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(rhsX)))
      })
    }
  )

  it.each(poolCases)('MaxPoolGrad: x $x, window $size, strides $strides, pad $pad', async (c) => {
    const grad = await onBothBackends(() => {
      const x = randomTensor(c.x, 7) as tf.Tensor4D
      const output = tf.maxPool(x, c.size, c.strides, c.pad)
      const dy = randomTensor(output.shape, 8)
      return tf
        .engine()
        .runKernel(
          'MaxPoolGrad',
          { dy, input: x, output },
          { filterSize: c.size, strides: c.strides, pad: c.pad }
        ) as tf.Tensor
    })
    expectClose(grad.wasm, grad.cpu)
  })

  it('gives the first maximum the gradient when a window has ties, like the cpu backend', async () => {
    const grad = await onBothBackends(() => {
      const x = tf.tensor4d([3, 3, 1, 1, 3, 0, 1, 1], [1, 2, 4, 1])
      const output = tf.maxPool(x, 2, 2, 'valid')
      const dy = tf.tensor4d([5, 7], [1, 1, 2, 1])
      return tf
        .engine()
        .runKernel(
          'MaxPoolGrad',
          { dy, input: x, output },
          { filterSize: 2, strides: 2, pad: 'valid' }
        ) as tf.Tensor
    })
    expect(Array.from(grad.wasm)).toEqual([5, 0, 7, 0, 0, 0, 0, 0])
    expect(Array.from(grad.wasm)).toEqual(Array.from(grad.cpu))
  })
})

describe('wasm BatchMatMul with transposed operands matches the cpu backend', () => {
  it.each([
    { a: [64, 40], b: [64, 24], transposeA: true, transposeB: false },
    { a: [16, 24], b: [40, 24], transposeA: false, transposeB: true },
    { a: [3, 24, 16], b: [3, 40, 24], transposeA: true, transposeB: true },
    { a: [2, 8, 5], b: [2, 5, 7], transposeA: false, transposeB: false }
  ])('a $a, b $b, transposeA $transposeA, transposeB $transposeB', async (c) => {
    await tf.setBackend('wasm')
    registerWasmTrainingKernels()
    const result = await onBothBackends(() =>
      tf.matMul(
        randomTensor(c.a, 11) as tf.Tensor3D,
        randomTensor(c.b, 12) as tf.Tensor3D,
        c.transposeA,
        c.transposeB
      )
    )
    expectClose(result.wasm, result.cpu)
  })
})
