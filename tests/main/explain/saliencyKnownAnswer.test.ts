/**
 * Saliency maps on a tiny network with a known answer: it crops its 16×16 input to the top-left
 * 8×8 quadrant (and pads it back), so only that quadrant can change its scores. Gradients and
 * SmoothGrad must be exactly zero outside it, and Grad-CAM must light it (up to the one-pixel rim
 * the 3×3 convolution spreads it by). Redrawing the weights (Adebayo et al.'s check) must change
 * the maps.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
// Vitest loads tfjs-core's ES build, which (unlike the Node bundle the app uses) has no gradients.
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import * as tfl from '@tensorflow/tfjs-layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { saliencyMap } from '../../../main/engine/explain/saliency'
import { gradCamTarget } from '../../../main/engine/explain/gradCamTarget'
import { rankCorrelation, scaleToUnit } from '../../../main/engine/explain/mapValues'
import { randomiseWeights } from '../../../main/engine/explain/randomiseWeights'
import type { ClassScorer } from '../../../main/engine/export/trainedModelTypes'

const size = 16

function quadrantModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [size, size, 1] })
  const cropped = tfl.layers
    .cropping2D({
      cropping: [
        [0, 8],
        [0, 8]
      ]
    })
    .apply(input)
  const padded = tfl.layers
    .zeroPadding2d({
      padding: [
        [0, 8],
        [0, 8]
      ]
    })
    .apply(cropped)
  const features = tfl.layers
    .conv2d({
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'features',
      kernelInitializer: tfl.initializers.randomUniform({ minval: 0.05, maxval: 0.5, seed: 3 })
    })
    .apply(padded)
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(features)
  const logits = tfl.layers
    .dense({
      units: 2,
      kernelInitializer: tfl.initializers.randomUniform({ minval: 0.1, maxval: 1, seed: 4 })
    })
    .apply(pooled) as tfl.SymbolicTensor
  return tfl.model({ inputs: input, outputs: logits })
}

const scorerOf = (model: tfl.LayersModel): ClassScorer => ({
  score: 'logit',
  scores: (x) => model.apply(x, { training: false }) as tf.Tensor2D,
  network: { model, output: 0 },
  weights: model.trainableWeights
})

/** Sum of the map inside rows < r and columns < r, over the whole map's sum. */
function shareWithin(map: Float32Array, r: number): number {
  let inside = 0
  let total = 0
  map.forEach((v, i) => {
    total += v
    if (Math.floor(i / size) < r && i % size < r) inside += v
  })
  return inside / total
}

const settings = { samples: 20, noise: 0.15, seed: 5 }

describe('saliency maps on a network that only sees the top-left quadrant', () => {
  let model: tfl.LayersModel
  let x: tf.Tensor4D

  beforeAll(async () => {
    await tf.setBackend('cpu')
    model = quadrantModel()
    x = tf.randomUniform([1, size, size, 1], 0.2, 1, 'float32', 11) as tf.Tensor4D
  })

  it('gradients and SmoothGrad are exactly zero outside the quadrant', async () => {
    for (const method of ['grad', 'smoothgrad'] as const) {
      const { values } = await saliencyMap(scorerOf(model), x, { method, ...settings }, 0)
      expect(shareWithin(values.map, 8), method).toBe(1)
      // …and not zero inside it: the quadrant itself is lit.
      expect(Math.max(...values.map.slice(0, 8)), method).toBeGreaterThan(0.1)
    }
  })

  it('Grad-CAM weights the convolution and lights the quadrant', async () => {
    const target = gradCamTarget(model, 0)
    expect(target.layer.name).toBe('features')
    expect(target.description).toBe('conv 1 of 1')
    expect(target.head.map((l) => l.getClassName())).toEqual(['GlobalAveragePooling2D', 'Dense'])
    const result = await saliencyMap(scorerOf(model), x, { method: 'gradcam', ...settings }, 1)
    expect(result.layer).toEqual({ name: 'conv 1 of 1', height: size, width: size })
    // The 3×3 convolution spreads the quadrant by one pixel; beyond that nothing is lit.
    expect(shareWithin(result.values.map, 9)).toBe(1)
    expect(shareWithin(result.values.map, 8)).toBeGreaterThan(0.9)
    expect(result.values.map[size * 3 + 3]).toBeGreaterThan(0.3)
  })

  it('the predicted class is explained by default, and probabilities sum to one', async () => {
    const result = await saliencyMap(scorerOf(model), x, { method: 'grad', ...settings })
    const p = result.values.probabilities
    expect(p[0] + p[1]).toBeCloseTo(1, 5)
    expect(result.classIndex).toBe(p[0] > p[1] ? 0 : 1)
  })

  it('SmoothGrad replays exactly for its seed and differs for another', async () => {
    const scorer = scorerOf(model)
    const a = await saliencyMap(scorer, x, { method: 'smoothgrad', ...settings }, 0)
    const b = await saliencyMap(scorer, x, { method: 'smoothgrad', ...settings }, 0)
    const c = await saliencyMap(scorer, x, { method: 'smoothgrad', ...settings, seed: 6 }, 0)
    expect(Array.from(b.values.map)).toEqual(Array.from(a.values.map))
    expect(Array.from(c.values.map)).not.toEqual(Array.from(a.values.map))
  })

  it('maps change when the weights are randomised (the sanity check)', async () => {
    const own = quadrantModel()
    const scorer = scorerOf(own)
    const before = await saliencyMap(scorer, x, { method: 'gradcam', ...settings }, 0)
    const grads = await saliencyMap(scorer, x, { method: 'grad', ...settings }, 0)
    await randomiseWeights(scorer.weights, 1)
    const after = await saliencyMap(scorer, x, { method: 'gradcam', ...settings }, 0)
    const gradsAfter = await saliencyMap(scorer, x, { method: 'grad', ...settings }, 0)
    const change = (a: Float32Array, b: Float32Array): number =>
      Math.max(...a.map((v, i) => Math.abs(v - b[i])))
    expect(change(before.values.map, after.values.map)).toBeGreaterThan(0.1)
    // This network's all-positive weights make its gradient nearly input-independent, so the
    // gradient map changes only a little here; the real-run test measures ρ on a trained model.
    expect(change(grads.values.map, gradsAfter.values.map)).toBeGreaterThan(0.01)
    own.dispose()
  })
})

describe('map values', () => {
  it('Spearman ρ is 1 for the same order, −1 for the reverse, 0 against a constant', () => {
    expect(rankCorrelation([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1)
    expect(rankCorrelation([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1)
    expect(rankCorrelation([1, 2, 3, 4], [5, 5, 5, 5])).toBe(0)
    // Ties share their mean rank.
    expect(rankCorrelation([1, 1, 2, 3], [1, 1, 2, 3])).toBeCloseTo(1)
  })

  it('scaling clips at the 99th percentile and keeps zero maps zero', () => {
    const values = Float32Array.from({ length: 200 }, (_, i) => i)
    values[199] = 10_000
    const scaled = scaleToUnit(values)
    expect(scaled[199]).toBe(1)
    expect(scaled[100]).toBeCloseTo(100 / 197, 3)
    expect(Array.from(scaleToUnit(new Float32Array(4)))).toEqual([0, 0, 0, 0])
  })
})
