/**
 * Every generative recipe trains a few steps on real Fashion-MNIST images: losses stay finite and
 * move, no tensor leaks from step to step, and generation is deterministic for its codes.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  classifyingGenerativeRecipes,
  generativeRecipes,
  resolveGenerativeConfig,
  type GenerativeRecipe
} from '../../../../preload/contract'
import {
  buildGenerativeModel,
  disposeGenerativeModel
} from '../../../../main/engine/models/generative'
import { latentCodes, readStepLosses } from '../../../../main/engine/models/generative/recipe'
import { requireFashionMnist } from '../../../helpers/fashionSubset'
import { propagateOn } from '../../../helpers/graphSource'

const count = 64
let pixels: Uint8Array
let labels: Int32Array

beforeAll(async () => {
  await tf.setBackend('cpu')
  const fashionMnistDir = requireFashionMnist()
  const images = gunzipSync(readFileSync(join(fashionMnistDir, 't10k-images-idx3-ubyte.gz')))
  const raw = gunzipSync(readFileSync(join(fashionMnistDir, 't10k-labels-idx1-ubyte.gz')))
  pixels = images.subarray(16, 16 + count * 784)
  labels = Int32Array.from(raw.subarray(8, 8 + count))
})

function batch(symmetric: boolean, from: number, size: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return tf.tidy(() => {
    const unit = tf.div(
      tf.tensor4d(pixels.subarray(from * 784, (from + size) * 784), [size, 28, 28, 1], 'float32'),
      255
    )
    return {
      x: (symmetric ? tf.sub(tf.mul(unit, 2), 1) : unit) as tf.Tensor4D,
      y: tf.tensor1d(labels.subarray(from, from + size), 'int32')
    }
  })
}

const build = (recipe: GenerativeRecipe, overrides = {}) =>
  buildGenerativeModel({
    recipe,
    shape: { height: 28, width: 28, channels: 1 },
    classes: 10,
    config: resolveGenerativeConfig(recipe, {
      width: 8,
      latentDim: 8,
      batchSize: 16,
      criticSteps: 2,
      ...overrides
    }),
    totalSteps: 100
  })

describe('generative recipes on real images', () => {
  it.each(generativeRecipes)(
    '%s trains: finite, moving losses and no leaked tensors',
    async (recipe) => {
      const model = build(recipe)
      const history: Record<string, number>[] = []
      const tensorsAfter: number[] = []
      for (let step = 0; step < 6; step++) {
        const b = batch(model.normalisation === 'symmetric', (step % 4) * 16, 16)
        // Semi-supervised recipes get a labelled batch besides the unlabelled one.
        const labelled = model.semiSupervised
          ? batch(model.normalisation === 'symmetric', 56 - step * 8, 8)
          : undefined
        history.push(await readStepLosses(model.step(b.x, b.y, step, labelled)))
        tf.dispose([b.x, b.y, ...(labelled ? [labelled.x, labelled.y] : [])])
        tensorsAfter.push(tf.memory().numTensors)
      }
      for (const losses of history)
        for (const [name, value] of Object.entries(losses))
          expect(Number.isFinite(value), `${name}=${value}`).toBe(true)
      const main = 'loss' in history[0] ? 'loss' : 'd/loss'
      const values = history.map((h) => h[main])
      expect(new Set(values.map((v) => v.toFixed(6))).size).toBeGreaterThan(3)
      // Optimiser slots are created on the first steps; after that the count must stay flat.
      expect(tensorsAfter.at(-1)).toBe(tensorsAfter[2])

      const z = latentCodes(4, 8, 5, 0, 55)
      const y = tf.tensor1d([0, 1, 2, 3], 'int32')
      const first = model.generate(z, model.conditional ? y : null)
      const second = model.generate(z, model.conditional ? y : null)
      expect(first.shape).toEqual([4, 28, 28, 1])
      expect(tf.max(tf.abs(tf.sub(first, second))).dataSync()[0]).toBe(0)
      expect(tf.min(first).dataSync()[0]).toBeGreaterThanOrEqual(0)
      expect(tf.max(first).dataSync()[0]).toBeLessThanOrEqual(1)
      tf.dispose([z, y, first, second])
      if (classifyingGenerativeRecipes.includes(recipe)) {
        // vae-graph classifies once its labels are spread (20 of 64 images labelled).
        const all = batch(model.normalisation === 'symmetric', 0, count)
        await propagateOn(model, all.x, labels, 20)
        tf.dispose([all.x, all.y])
        // A classifier too: one finite score per class and image.
        const b = batch(model.normalisation === 'symmetric', 0, 5)
        const scores = model.classify!(b.x)
        expect(scores.shape).toEqual([5, 10])
        expect(tf.all(tf.isFinite(scores)).dataSync()[0]).toBe(1)
        tf.dispose([b.x, b.y, scores])
      } else expect(model.classify).toBeUndefined()
      disposeGenerativeModel(model)
    },
    60_000
  )

  it('scales the networks to 32 and 64 px and to three channels', () => {
    for (const side of [32, 64]) {
      const model = buildGenerativeModel({
        recipe: 'dcgan',
        shape: { height: side, width: side, channels: 3 },
        classes: 10,
        config: resolveGenerativeConfig('dcgan', { width: 8, latentDim: 8 }),
        totalSteps: 1
      })
      const z = latentCodes(2, 8, 0, 0, 1)
      const images = model.generate(z, null)
      expect(images.shape).toEqual([2, side, side, 3])
      tf.dispose([z, images])
      disposeGenerativeModel(model)
    }
  })

  it('refuses image sizes the networks cannot scale to, saying what to do', () => {
    expect(() =>
      buildGenerativeModel({
        recipe: 'vae',
        shape: { height: 30, width: 30, channels: 1 },
        classes: 10,
        config: resolveGenerativeConfig('vae', {}),
        totalSteps: 1
      })
    ).toThrow(/--size 32/)
  })
})
