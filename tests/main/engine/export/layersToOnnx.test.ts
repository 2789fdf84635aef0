/**
 * The tfjs-layers → ONNX exporter: every network the app builds (classifier presets, generators,
 * multi-head discriminators/encoders), plus a zoo of the other supported layers, is converted, run
 * in onnxruntime-node and compared with tfjs' own predict on the same seeded inputs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onnx } from 'onnx-proto'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  layersModelToOnnx,
  type OnnxExportOptions
} from '../../../../main/engine/export/onnx/layersToOnnx'
import {
  maxAbsDifference,
  onnxMetadata,
  runOnnx
} from '../../../../main/engine/export/onnx/runOnnx'
import { buildClassifier } from '../../../../main/engine/models/classifierPresets'
import { buildGenerator, buildHeads } from '../../../../main/engine/models/generative/networks'

/** float32 on two runtimes with different summation orders: agreement to 1e-4 is exact enough. */
const TOLERANCE = 1e-4
const BATCH = 3

/** The measured differences, printed at the end for the record. */
const measured: Record<string, number> = {}

beforeAll(() => tf.setBackend('cpu'))
afterAll(() => console.log('max |onnx − tfjs| per model:', measured))

/** Deterministic uniform values in [lo, hi) (a 32-bit LCG). */
function seeded(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let state = seed >>> 0
  return Float32Array.from({ length: n }, () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return lo + ((hi - lo) * state) / 2 ** 32
  })
}

/** Standard deviation. */
function spread(values: ArrayLike<number>): number {
  const n = values.length
  let sum = 0
  let squares = 0
  for (let i = 0; i < n; i++) {
    sum += values[i]
    squares += values[i] ** 2
  }
  return Math.sqrt(Math.max(squares / n - (sum / n) ** 2, 0))
}

/**
 * Non-trivial batch-norm parameters and moving statistics: freshly built, BN is the identity up to
 * epsilon, and a converter that dropped or swapped its weights would still pass.
 */
function perturbBatchNorm(model: tfl.LayersModel, seed: number): void {
  model.layers.forEach((layer, i) => {
    if (layer.getClassName() !== 'BatchNormalization') return
    const ranges: Record<string, [number, number]> = {
      gamma: [0.5, 1.5],
      beta: [-0.5, 0.5],
      moving_mean: [-0.5, 0.5],
      moving_variance: [0.5, 2]
    }
    const values = layer.weights.map((w, k) => {
      const kind = Object.keys(ranges).find((name) => w.name.endsWith(name))!
      const [lo, hi] = ranges[kind]
      return tf.tensor(seeded(w.shape[0]!, seed * 1000 + i * 10 + k, lo, hi), w.shape as number[])
    })
    layer.setWeights(values)
    tf.dispose(values)
  })
}

/**
 * Converts the model, runs it on a seeded batch in onnxruntime and in tfjs, checks every output's
 * shape and values, and records the largest difference under `label`.
 */
async function expectSameOutputs(
  label: string,
  model: tfl.LayersModel,
  options: OnnxExportOptions = {},
  reference: (outputs: tf.Tensor[]) => tf.Tensor[] = (outputs) => outputs
): Promise<void> {
  const shape = [BATCH, ...(model.inputs[0].shape.slice(1) as number[])]
  const data = seeded(
    shape.reduce((a, b) => a * b),
    label.length * 7919
  )
  const bytes = layersModelToOnnx(model, options)
  const onnxOutputs = await runOnnx(bytes, { data, shape })
  const x = tf.tensor(data, shape)
  const predicted = model.predict(x)
  const expected = reference(Array.isArray(predicted) ? predicted : [predicted])
  const names =
    options.outputNames ??
    (expected.length === 1 ? ['output'] : expected.map((_, i) => `output_${i}`))
  expect(onnxOutputs.map((output) => output.name)).toEqual(names)
  let worst = 0
  onnxOutputs.forEach((output, i) => {
    expect(output.shape).toEqual(expected[i].shape)
    const values = expected[i].dataSync()
    worst = Math.max(worst, maxAbsDifference(output.data, values))
    // A wrong conversion differs by about the output's own spread, which must dwarf the tolerance.
    expect(spread(values)).toBeGreaterThan(50 * TOLERANCE)
  })
  measured[label] = worst
  tf.dispose([x, ...expected, ...(Array.isArray(predicted) ? predicted : [predicted])])
  expect(worst).toBeLessThanOrEqual(TOLERANCE)
}

const grey = { height: 28, width: 28, channels: 1, classes: 10 }
const colour = { height: 32, width: 32, channels: 3, classes: 10 }

describe('classifier presets', () => {
  for (const preset of ['small-cnn', 'deep-cnn', 'resnet-small'] as const) {
    it(`${preset} 28×28×1 matches tfjs`, async () => {
      const model = buildClassifier(preset, grey, 1)
      perturbBatchNorm(model, 1)
      await expectSameOutputs(`${preset} 28x28x1`, model)
    })
  }

  it('resnet-small and deep-cnn 32×32×3 match tfjs', async () => {
    for (const preset of ['resnet-small', 'deep-cnn'] as const) {
      const model = buildClassifier(preset, colour, 2)
      perturbBatchNorm(model, 2)
      await expectSameOutputs(`${preset} 32x32x3`, model)
    }
  })

  it('appends a softmax, so the export outputs probabilities', async () => {
    const model = buildClassifier('small-cnn', grey, 3)
    await expectSameOutputs('small-cnn + softmax', model, { outputActivation: 'softmax' }, (l) =>
      l.map((t) => tf.softmax(t))
    )
  })
})

describe('generative networks', () => {
  it('generators (transposed convolutions, 2-D batch norm, reshape) match tfjs', async () => {
    const cases = [
      { shape: grey, output: 'tanh', width: 32 },
      { shape: colour, output: 'sigmoid', width: 32 },
      { shape: { height: 64, width: 64, channels: 3 }, output: 'tanh', width: 16 }
    ] as const
    for (const [i, { shape, output, width }] of cases.entries()) {
      const model = buildGenerator(shape, 20 + 10, width, output, 10 + i)
      perturbBatchNorm(model, 10 + i)
      await expectSameOutputs(`generator ${shape.height}x${shape.width}x${shape.channels}`, model)
    }
  })

  it('two-head encoders and discriminators (with batch norm) match tfjs', async () => {
    await expectSameOutputs('heads 28x28x(1+10)', buildHeads(grey, 10, 32, [16, 16], 20))
    const withBn = buildHeads(colour, 0, 32, [1, 10], 21, true)
    perturbBatchNorm(withBn, 21)
    await expectSameOutputs('heads 32x32x3 + BN', withBn)
  })
})

/**
 * The supported layers the app's networks do not use, on an odd-sized image so SAME padding is
 * asymmetric: strided and dilated convolutions, SAME and VALID pooling, every merge, concatenation
 * on channels, height and width, transposed convolutions whose kernel is smaller than or not a
 * multiple of the stride, batch norm without centre/scale, every activation side by side on one
 * unsquashed tensor (so each one's error would show), a reshape back to an image, global pooling
 * in both layouts, Dense on a 4-D value, a nested Sequential, a shared layer, and 4-D as well as
 * 2-D outputs.
 */
function buildZoo(): tfl.LayersModel {
  let seed = 500
  // Seeded kernels and non-zero biases, so every bias path is exercised and runs repeat exactly.
  const init = (): Record<string, ReturnType<typeof tfl.initializers.glorotUniform>> => ({
    kernelInitializer: tfl.initializers.glorotUniform({ seed: seed++ }),
    biasInitializer: tfl.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: seed++ })
  })
  type T = tfl.SymbolicTensor
  const on = (layer: tfl.layers.Layer, x: T | T[]): T => layer.apply(x) as T
  const conv = (filters: number, args: Record<string, unknown>): tfl.layers.Layer =>
    tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', ...init(), ...args })

  const input = tfl.input({ shape: [15, 13, 2] })
  const a = on(conv(6, { strides: 2, activation: 'elu' }), input) // [8, 7, 6]
  const b = on(conv(6, { dilationRate: 2, activation: 'selu' }), input) // [15, 13, 6]
  const bPool = on(tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), b)
  const aPool = on(tfl.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }), a)
  const vPool = on(tfl.layers.averagePooling2d({ poolSize: 2 }), b) // VALID: [7, 6, 6]
  const merged = [
    on(tfl.layers.add(), [a, bPool, aPool]),
    on(tfl.layers.multiply(), [a, bPool]),
    on(tfl.layers.average(), [a, aPool]),
    on(tfl.layers.maximum(), [bPool, aPool]),
    on(tfl.layers.minimum(), [a, bPool])
  ]
  const cat = on(tfl.layers.concatenate(), merged) // [8, 7, 30]
  const tall = on(tfl.layers.concatenate({ axis: 1 }), [a, aPool]) // [16, 7, 6]
  const wide = on(tfl.layers.concatenate({ axis: 2 }), [tall, tall]) // [16, 14, 6]
  const up = [
    { kernelSize: 3, strides: 2, padding: 'same', activation: 'softplus' }, // odd SAME crop
    { kernelSize: 1, strides: 2, padding: 'valid' }, // kernel < stride: output_padding
    { kernelSize: 3, strides: 2, padding: 'valid', activation: 'hardSigmoid' } // [17, 15, 6]
  ].map((args) => on(tfl.layers.conv2dTranspose({ filters: 6, ...init(), ...args } as never), cat))
  const plain = on(tfl.layers.batchNormalization({ center: false, scale: false }), up[0])
  const shared = conv(6, { activation: 'sigmoid' }) // called twice
  const sum = on(tfl.layers.add(), [plain, up[1], on(shared, wide), on(shared, up[0])])
  const pre = on(conv(6, {}), sum) // [16, 14, 6], linear: nothing squashed yet
  const activation = (name: string): tfl.layers.Layer =>
    tfl.layers.activation({ activation: name } as unknown as { activation: 'linear' })
  const activationLayers = [
    ...['softsign', 'swish', 'mish', 'gelu', 'softmax', 'tanh', 'linear'].map(activation),
    tfl.layers.elu(),
    tfl.layers.leakyReLU(),
    tfl.layers.thresholdedReLU({ theta: 0.5 }),
    tfl.layers.reLU({ maxValue: 0.5 }),
    tfl.layers.softmax({ axis: -1 }),
    tfl.layers.gaussianNoise({ stddev: 1 }),
    tfl.layers.gaussianDropout({ rate: 0.5 }),
    tfl.layers.alphaDropout({ rate: 0.5 }),
    tfl.layers.dropout({ rate: 0.5 })
  ]
  const gain = tfl.initializers.randomUniform({ minval: -5, maxval: 5, seed: 7 })
  const large = on(conv(6, { kernelSize: 1, kernelInitializer: gain }), pre) // beyond relu6's cap
  const image = on(tfl.layers.concatenate(), [
    ...activationLayers.map((layer) => on(layer, pre)),
    on(activation('relu6'), large)
  ]) // [16, 14, 6 × 17], a 4-D output
  const nested = tfl.sequential({
    layers: [
      tfl.layers.globalMaxPooling2d({ inputShape: [17, 15, 6] }),
      tfl.layers.dense({ units: 12, activation: 'relu', ...init() }),
      tfl.layers.reshape({ targetShape: [2, 2, 3] }),
      tfl.layers.conv2d({ filters: 5, kernelSize: 2, ...init() })
    ]
  })
  const pooled = on(tfl.layers.globalAveragePooling2d({}), vPool)
  const vector = on(tfl.layers.concatenate(), [
    on(tfl.layers.flatten(), on(nested, up[2])),
    pooled,
    on(tfl.layers.batchNormalization(), pooled),
    on(tfl.layers.globalMaxPooling2d({}), input), // on the NHWC input: no transpose
    on(tfl.layers.globalAveragePooling2d({}), input)
  ])
  const perPixel = on(tfl.layers.dense({ units: 3, ...init() }), image) // MatMul path
  return tfl.model({ inputs: input, outputs: [image, vector, perPixel] })
}

describe('other layers', () => {
  it('the layer zoo matches tfjs', async () => {
    const model = buildZoo()
    perturbBatchNorm(model, 30)
    await expectSameOutputs('layer zoo', model)
  })
})

describe('the exported file', () => {
  it('carries metadata, names and opset 13', async () => {
    const model = buildClassifier('small-cnn', grey, 4)
    const metadata = { classes: JSON.stringify(['a', 'b']), preprocessing: 'x / 255' }
    const bytes = layersModelToOnnx(model, {
      metadata,
      inputName: 'image',
      outputNames: ['logits'],
      producerVersion: '9.9.9'
    })
    const decoded = onnx.ModelProto.decode(bytes)
    expect(decoded.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]])
    expect(Number(decoded.irVersion)).toBe(7)
    expect(decoded.producerVersion).toBe('9.9.9')
    const dims = decoded.graph?.input?.[0].type?.tensorType?.shape?.dim ?? []
    expect(dims.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['N', 28, 28, 1])

    // From a file, as the app would read one back.
    const dir = mkdtempSync(join(tmpdir(), 'onnx-export-'))
    try {
      const file = join(dir, 'model.onnx')
      writeFileSync(file, bytes)
      expect(await onnxMetadata(file)).toEqual(metadata)
      expect(await onnxMetadata(bytes)).toEqual(metadata)
      const [out] = await runOnnx(file, {
        name: 'image',
        data: seeded(784, 1),
        shape: [1, 28, 28, 1]
      })
      expect(out).toMatchObject({ name: 'logits', shape: [1, 10] })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('names a layer it cannot convert', () => {
    const model = tfl.sequential({
      layers: [tfl.layers.upSampling2d({ inputShape: [4, 4, 1], name: 'grow' })]
    })
    expect(() => layersModelToOnnx(model)).toThrow(
      'layer "grow" of class UpSampling2D is not supported'
    )
  })
})
