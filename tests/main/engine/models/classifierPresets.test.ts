/**
 * Every classifier preset: shapes for grey and colour inputs, seeded weights, dropout masks that
 * change per step yet repeat for the same step, and training gradients on wasm (with our kernels)
 * equal to the cpu backend's — which catches a missing or wrong wasm kernel for batch norm,
 * residual adds or average pooling.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import type * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { classifierPresets } from '../../../../preload/contract'
import { crossEntropy } from '../../../../main/engine/classifierSteps'
import { registerWasmTrainingKernels } from '../../../../main/engine/wasmKernels'
import { buildClassifier, setDropoutStep } from '../../../../main/engine/models/classifierPresets'

const grey = { height: 28, width: 28, channels: 1, classes: 10 }
const colour = { height: 32, width: 32, channels: 3, classes: 100 }
/** Small enough for the pure-JS cpu backend to take gradients in a moment. */
const tiny = { height: 12, width: 12, channels: 1, classes: 10 }

function batch(shape: typeof grey, n: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  let state = 12345
  const values = new Float32Array(n * shape.height * shape.width * shape.channels).map(() => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  })
  return {
    x: tf.tensor4d(values, [n, shape.height, shape.width, shape.channels]),
    y: tf.tensor1d(
      Array.from({ length: n }, (_, i) => i % shape.classes),
      'int32'
    )
  }
}

async function gradients(model: tfl.LayersModel, backend: string): Promise<Float32Array[]> {
  await tf.setBackend(backend)
  const weights = model.getWeights().map((w) => tf.clone(w))
  const { x, y } = batch(tiny, 4)
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable)
  // Same values on this backend: the model's variables were made on the other one.
  model.setWeights(weights)
  const { value, grads } = tf.variableGrads(
    () => crossEntropy(model.apply(x, { training: true }) as tf.Tensor2D, y, 10, null),
    variables
  )
  const result = await Promise.all(
    variables.map((v) => grads[v.name].data() as Promise<Float32Array>)
  )
  tf.dispose([x, y, value, ...Object.values(grads), ...weights])
  return result
}

describe('classifier presets', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm')
    registerWasmTrainingKernels()
    await tf.setBackend('cpu')
  })

  it.each(classifierPresets)('%s: logits for grey and colour inputs, seeded weights', (preset) => {
    for (const shape of [grey, colour]) {
      const model = buildClassifier(preset, shape, 3)
      const out = tf.tidy(() => model.predict(batch(shape, 2).x) as tf.Tensor)
      expect(out.shape).toEqual([2, shape.classes])
      out.dispose()
      const same = buildClassifier(preset, shape, 3)
      const other = buildClassifier(preset, shape, 4)
      const first = (m: tfl.LayersModel): number[] => Array.from(m.getWeights()[0].dataSync())
      expect(first(same)).toEqual(first(model))
      expect(first(other)).not.toEqual(first(model))
      for (const m of [model, same, other]) m.dispose()
    }
  })

  it('draws a new dropout mask each step, and the same one for the same step', () => {
    const model = buildClassifier('deep-cnn', grey, 1)
    const { x } = batch(grey, 2)
    const output = (step: number): number[] => {
      setDropoutStep(model, 1, step)
      return tf.tidy(() => Array.from((model.apply(x, { training: true }) as tf.Tensor).dataSync()))
    }
    const a = output(5)
    expect(output(5)).toEqual(a)
    expect(output(6)).not.toEqual(a)
    model.dispose()
  })

  it.each(['deep-cnn', 'resnet-small'] as const)(
    '%s: training gradients on wasm equal the cpu backend',
    async (preset) => {
      await tf.setBackend('cpu')
      const model = buildClassifier(preset, tiny, 2)
      setDropoutStep(model, 2, 0)
      const cpu = await gradients(model, 'cpu')
      const wasm = await gradients(model, 'wasm')
      cpu.forEach((expected, i) => {
        const scale = Math.max(1e-3, ...expected.map(Math.abs))
        const diff = Math.max(...expected.map((v, j) => Math.abs(v - wasm[i][j])))
        expect(diff / scale).toBeLessThan(2e-3)
      })
      await tf.setBackend('cpu')
      model.dispose()
    }
  )
})
