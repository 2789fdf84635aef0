/**
 * Every workload on WebGPU computes what it computes on wasm: from the same seed and initial
 * weights, a few training steps of each classifier preset and each generative recipe give the
 * same losses and weights on both backends (real Fashion-MNIST images, cut to 16×16 so the
 * CPU-emulated SwiftShader adapter of CI finishes in minutes). No WebGPU adapter fails the test.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  classifierPresets,
  generativeRecipes,
  resolveGenerativeConfig,
  type ClassifierPreset,
  type GenerativeRecipe
} from '../../../preload/contract'
import { selectBackend } from '../../../main/engine/backendProbe'
import { classifierStep } from '../../../main/engine/classifierSteps'
import { createOptimizer } from '../../../main/engine/optimizers'
import { buildClassifier, setDropoutStep } from '../../../main/engine/models/classifierPresets'
import {
  buildGenerativeModel,
  disposeGenerativeModel
} from '../../../main/engine/models/generative'
import { latentCodes } from '../../../main/engine/models/generative/recipe'
import { requireFashionMnist } from '../../helpers/fashionSubset'
import { propagateOn } from '../../helpers/graphSource'
import {
  expectAdapterReport,
  noAdapterAdvice,
  useWebgpuForTests
} from '../../helpers/webgpuAdapter'

const side = 16
const batchSize = 8
const steps = 3
let pixels: Float32Array
let labels: Int32Array

/** The centre 16×16 of the first test images, in [0, 1]. */
function loadImages(count: number): void {
  const fashionMnistDir = requireFashionMnist()
  const images = gunzipSync(readFileSync(join(fashionMnistDir, 't10k-images-idx3-ubyte.gz')))
  const raw = gunzipSync(readFileSync(join(fashionMnistDir, 't10k-labels-idx1-ubyte.gz')))
  pixels = new Float32Array(count * side * side)
  for (let i = 0; i < count; i++)
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++)
        pixels[(i * side + y) * side + x] = images[16 + i * 784 + (y + 6) * 28 + x + 6] / 255
  labels = Int32Array.from(raw.subarray(8, 8 + count))
}

function batch(step: number, symmetric: boolean): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const from = (step * batchSize) % 48
  return tf.tidy(() => {
    const unit = tf.tensor4d(
      pixels.subarray(from * side * side, (from + batchSize) * side * side),
      [batchSize, side, side, 1]
    )
    return {
      x: (symmetric ? tf.sub(tf.mul(unit, 2), 1) : unit) as tf.Tensor4D,
      y: tf.tensor1d(labels.subarray(from, from + batchSize), 'int32')
    }
  })
}

/** Sum and sum of squares of every weight, per network: changes if any weight differs. */
async function checksum(nets: tfl.LayersModel[]): Promise<number[]> {
  const sums = tf.tidy(() =>
    tf.stack(
      nets.flatMap((net) => {
        const all = tf.concat(net.getWeights().map((w) => tf.reshape(w, [-1])))
        return [tf.sum(all), tf.sum(tf.square(all))]
      })
    )
  )
  const values = Array.from(await sums.data())
  sums.dispose()
  return values
}

/** Reads a tensor (asynchronously: a GPU backend cannot read synchronously in Node) and disposes it. */
async function take(t: tf.Tensor): Promise<number[]> {
  const values = Array.from(await t.data())
  t.dispose()
  return values
}

interface Trace {
  losses: number[]
  weights: number[]
  extra: number[]
}

async function trainClassifier(preset: ClassifierPreset): Promise<Trace> {
  const model = buildClassifier(preset, { height: side, width: side, channels: 1, classes: 10 }, 3)
  const optimizer = createOptimizer({
    optimizer: 'adam',
    learningRate: 1e-3,
    weightDecay: 0,
    momentum: 0
  })
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable)
  const losses: number[] = []
  for (let step = 0; step < steps; step++) {
    setDropoutStep(model, 3, step)
    const b = batch(step, false)
    const values = classifierStep(model, optimizer, variables, b, 10, null, 1e-3)
    tf.dispose([b.x, b.y])
    losses.push(...(await take(values)))
  }
  const b = batch(0, false)
  const extra = await take(tf.tidy(() => model.predict(b.x) as tf.Tensor))
  const weights = await checksum([model])
  tf.dispose([b.x, b.y])
  model.dispose()
  optimizer.dispose()
  return { losses, weights, extra }
}

async function trainGenerative(recipe: GenerativeRecipe): Promise<Trace> {
  const model = buildGenerativeModel({
    recipe,
    shape: { height: side, width: side, channels: 1 },
    classes: 10,
    config: resolveGenerativeConfig(recipe, {
      width: 4,
      latentDim: 8,
      batchSize,
      criticSteps: 2,
      seed: 5
    }),
    totalSteps: 100
  })
  const symmetric = model.normalisation === 'symmetric'
  const losses: number[] = []
  for (let step = 0; step < steps; step++) {
    const b = batch(step, symmetric)
    const labelled = model.semiSupervised ? batch(step + 3, symmetric) : undefined
    const { values } = model.step(b.x, b.y, step, labelled)
    tf.dispose([b.x, b.y, ...(labelled ? [labelled.x, labelled.y] : [])])
    losses.push(...(await take(values)))
  }
  // Generation (and classification, for recipes that classify) after training.
  const z = latentCodes(4, 8, 5, 0, 55)
  const y = tf.tensor1d([0, 1, 2, 3], 'int32')
  const extra = await take(model.generate(z, model.conditional ? y : null))
  if (model.classify) {
    // vae-graph spreads 10 labels over 48 images first: kNN (top-k) on the backend too.
    const parts = [0, 1, 2, 3, 4, 5].map((k) => batch(k, symmetric))
    const all = tf.concat(parts.map((p) => p.x)) as tf.Tensor4D
    await propagateOn(model, all, labels, 10)
    tf.dispose([all, ...parts.flatMap((p) => [p.x, p.y])])
    const b = batch(0, symmetric)
    extra.push(...(await take(model.classify(b.x))))
    tf.dispose([b.x, b.y])
  }
  const weights = await checksum(Object.values(model.nets))
  tf.dispose([z, y])
  disposeGenerativeModel(model)
  return { losses, weights, extra }
}

/** |a − b| ≤ tolerance · max(1, |b|), elementwise, with the worst case in the message. */
function expectClose(what: string, a: number[], b: number[], tolerance: number): void {
  expect(a.length, what).toBe(b.length)
  let worst = 0
  let at = -1
  a.forEach((value, i) => {
    const error = Math.abs(value - b[i]) / Math.max(1, Math.abs(b[i]))
    if (!(error <= worst)) [worst, at] = [error, i]
  })
  measured.push(`${what} ${worst.toExponential(1)}`)
  expect(
    worst,
    `${what}: worst relative error ${worst} at ${at} (${a[at]} vs ${b[at]})`
  ).toBeLessThanOrEqual(tolerance)
}

/** Worst errors of the current test, printed so CI logs show how close the backends are. */
const measured: string[] = []
afterEach((context) => {
  console.log(`${context.task.name}: ${measured.splice(0).join(', ')}`)
})

async function onBoth(train: () => Promise<Trace>): Promise<{ webgpu: Trace; wasm: Trace }> {
  await tf.setBackend('wasm')
  const wasm = await train()
  await tf.setBackend('webgpu')
  const before = tf.memory().numTensors
  const webgpu = await train()
  // Nothing the workload made on the GPU outlives it.
  expect(tf.memory().numTensors).toBe(before)
  return { webgpu, wasm }
}

beforeAll(async () => {
  useWebgpuForTests()
  loadImages(64)
  const wasm = await selectBackend('wasm')
  expect(wasm.active, wasm.error).toBe('wasm')
  const webgpu = await selectBackend('webgpu')
  expect(webgpu.active, `${webgpu.error ?? ''} ${noAdapterAdvice}`).toBe('webgpu')
  expectAdapterReport(webgpu.gpu)
}, 120_000)

// Relative to max(1, |value|). Float32 sums in another order differ by ~1e-7 per op, and three
// Adam steps amplify that; measured on SwiftShader: losses ≤ 1.1e-7, weight sums ≤ 2.4e-6,
// outputs ≤ 1.8e-7. A wrong kernel is off by far more than these bounds.
const tolerance = { losses: 1e-5, weights: 1e-4, outputs: 1e-4 }

/** Every classifier preset and every generative recipe, named as the test reports them. */
const workloads: [string, () => Promise<Trace>][] = [
  ...classifierPresets.map((p): [string, () => Promise<Trace>] => [
    `classifier ${p}`,
    () => trainClassifier(p)
  ]),
  ...generativeRecipes.map((r): [string, () => Promise<Trace>] => [r, () => trainGenerative(r)])
]

describe('training on WebGPU matches wasm', () => {
  it.each(workloads)(
    '%s',
    async (_name, train) => {
      const { webgpu, wasm } = await onBoth(train)
      expectClose('losses', webgpu.losses, wasm.losses, tolerance.losses)
      expectClose('weights', webgpu.weights, wasm.weights, tolerance.weights)
      expectClose('outputs', webgpu.extra, wasm.extra, tolerance.outputs)
    },
    300_000
  )
})
