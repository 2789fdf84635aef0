/**
 * Explanations of generative models. The counterfactual rule first, on a cVAE with no training:
 * the image is encoded once and only the class input changes between the decoded images (a
 * decoder blind to the class decodes the same image for every class; the row at the image's own
 * class is the model's reconstruction). Then traversals, counterfactuals and prototypes through
 * the contract and the CLI on real Fashion-MNIST runs.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveGenerativeConfig, type Prediction, type RunDetail } from '../../../preload/contract'
import { counterfactualImages } from '../../../main/engine/explain/generativeExplain'
import {
  buildGenerativeModel,
  disposeGenerativeModel
} from '../../../main/engine/models/generative'
import { dgmw } from '../../helpers/dgmwCli'
import { openFashionWorkbench, type FashionWorkbench } from '../../helpers/fashionWorkbench'

const bytes = (data: string): Buffer => Buffer.from(data, 'base64')

describe('counterfactuals change only the class input', () => {
  const shape = { height: 16, width: 16, channels: 1 }
  const classes = 4
  const build = () =>
    buildGenerativeModel({
      recipe: 'cvae',
      shape,
      classes,
      config: resolveGenerativeConfig('cvae', { latentDim: 6, width: 8, seed: 4 }),
      totalSteps: 1
    })

  beforeAll(() => tf.setBackend('cpu'))

  it('decodes one code under every class: each image is the decoder of that code and class', async () => {
    const model = build()
    const x = tf.randomUniform([1, 16, 16, 1], 0, 1, 'float32', 2) as tf.Tensor4D
    const { decoded, code } = counterfactualImages(model, x, 2, classes)
    expect(decoded.shape).toEqual([classes, 16, 16, 1])
    const expectedCode = model.encode!(x, tf.tensor1d([2], 'int32'))
    expect(await code.array()).toEqual(await expectedCode.array())
    for (let c = 0; c < classes; c++) {
      const alone = model.generate(code, tf.tensor1d([c], 'int32'))
      const row = tf.slice(decoded, [c, 0, 0, 0], [1, 16, 16, 1])
      expect(tf.max(tf.abs(tf.sub(alone, row))).dataSync()[0]).toBeLessThan(1e-6)
    }
    // The row at the image's own class is the reconstruction; other classes differ.
    const reconstruction = model.reconstruct!(x, tf.tensor1d([2], 'int32'))
    const own = tf.slice(decoded, [2, 0, 0, 0], [1, 16, 16, 1])
    expect(tf.max(tf.abs(tf.sub(reconstruction, own))).dataSync()[0]).toBeLessThan(1e-6)
    const other = tf.slice(decoded, [0, 0, 0, 0], [1, 16, 16, 1])
    expect(tf.max(tf.abs(tf.sub(own, other))).dataSync()[0]).toBeGreaterThan(1e-5)
    disposeGenerativeModel(model)
  })

  it('a decoder blind to the class decodes the same image for every class', async () => {
    const model = build()
    // Zero the first dense layer's weights from the one-hot class (the last `classes` inputs).
    const kernel = model.nets.decoder.layers[0].getWeights()[0]
    const [inputs, units] = kernel.shape as [number, number]
    const mask = tf.concat([tf.ones([inputs - classes, units]), tf.zeros([classes, units])])
    model.nets.decoder.layers[0].setWeights([tf.mul(kernel, mask)])
    const x = tf.randomUniform([1, 16, 16, 1], 0, 1, 'float32', 3) as tf.Tensor4D
    const { decoded } = counterfactualImages(model, x, 1, classes)
    const first = tf.slice(decoded, [0, 0, 0, 0], [1, 16, 16, 1])
    expect(tf.max(tf.abs(tf.sub(decoded, first))).dataSync()[0]).toBeLessThan(1e-6)
    disposeGenerativeModel(model)
  })

  it('is refused for a model without a class input', () => {
    const vae = buildGenerativeModel({
      recipe: 'vae',
      shape,
      classes,
      config: resolveGenerativeConfig('vae', { latentDim: 4, width: 8 }),
      totalSteps: 1
    })
    expect(() => counterfactualImages(vae, tf.zeros([1, 16, 16, 1]), 0, classes)).toThrow(
      /need a conditional VAE \(recipes cvae or gen-bayes\)/
    )
    disposeGenerativeModel(vae)
  })
})

describe('generative explanations of real runs', () => {
  let opened: FashionWorkbench
  let classifier: RunDetail
  let cvae: RunDetail
  let wrong: Prediction

  beforeAll(async () => {
    opened = await openFashionWorkbench(20)
    const datasetId = opened.report.dataset.id
    classifier = await opened.train({
      datasetId,
      recipe: 'classifier',
      config: { epochs: 4, batchSize: 32, learningRate: 3e-3, seed: 1 }
    })
    cvae = await opened.train({
      datasetId,
      recipe: 'cvae',
      config: { epochs: 12, batchSize: 32, width: 8, latentDim: 6, seed: 1, snapshotsPerEpoch: 1 }
    })
    wrong = (
      await opened.client.request('runs/predictions', { id: classifier.id, wrong: true, limit: 1 })
    ).items[0]
  }, 240_000)
  afterAll(() => opened.close())

  it('shows a misclassified test image as every class, judged by the classifier', async () => {
    const report = await opened.client.request('explain/counterfactuals', {
      runId: cvae.id,
      image: { datasetIndex: wrong.idx },
      classifierRunId: classifier.id
    })
    expect(report.classifier.runId).toBe(classifier.id)
    expect(report.label).toBe(wrong.label)
    expect(report.sourceClass).toBe(wrong.label)
    expect(report.decoded.count).toBe(10)
    expect(bytes(report.decoded.data).length).toBe(10 * 28 * 28)
    expect(report.probabilities).toHaveLength(10)
    for (const row of report.probabilities) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4)
    // The classifier's view of the original is its stored prediction.
    const p = report.originalProbabilities
    expect(p.indexOf(Math.max(...p))).toBe(wrong.predicted)
    // Only the class changed: the reconstruction's own difference plane is all "no change".
    const planes = bytes(report.differenceToReconstruction.data)
    const own = planes.subarray(report.sourceClass * 784, (report.sourceClass + 1) * 784)
    expect(own.every((v) => v === 128)).toBe(true)
    expect(planes.some((v) => v !== 128)).toBe(true)
    expect(bytes(report.differenceToOriginal.data).some((v) => v !== 128)).toBe(true)
    const again = await opened.client.request('explain/counterfactuals', {
      runId: cvae.id,
      image: { datasetIndex: wrong.idx },
      classifierRunId: classifier.id
    })
    expect(again.cached).toBe(true)
    expect(again.decoded.data).toBe(report.decoded.data)
  }, 60_000)

  it('ranks latent dimensions by KL and walks each from a test image', async () => {
    const report = await opened.client.request('explain/traversals', {
      runId: cvae.id,
      image: { datasetIndex: wrong.idx },
      dims: 4,
      steps: 5,
      range: 2
    })
    expect(report.latentDim).toBe(6)
    expect(report.klPerDim).toHaveLength(6)
    // Every test image (up to 500): the split's size, as the classifier's evaluation counts it.
    const tested = await opened.client.request('runs/predictions', { id: classifier.id, limit: 1 })
    expect(report.klImages).toBe(tested.total)
    const kls = report.dims.map((d) => report.klPerDim[d])
    expect(kls).toEqual([...kls].sort((a, b) => b - a))
    expect(Math.min(...report.klPerDim)).toBeGreaterThanOrEqual(0)
    expect(report.offsets).toEqual([-2, -1, 0, 1, 2])
    expect(report.classIndex).toBe(wrong.label)
    expect(report.base).toBe('image')
    expect(report.grid).toMatchObject({ rows: 4, cols: 5 })
    const grid = bytes(report.grid.data)
    expect(grid.length).toBe(20 * 784)
    // The middle column is the base code itself: the same image in every row.
    const middle = (row: number): Buffer => grid.subarray((row * 5 + 2) * 784, (row * 5 + 3) * 784)
    expect(middle(0).equals(middle(3))).toBe(true)
    expect(grid.subarray(0, 784).equals(middle(0))).toBe(false)
    // A seeded base is the same for the same seed.
    const seeded = await opened.client.request('explain/traversals', {
      runId: cvae.id,
      seed: 5,
      dims: 2
    })
    const seededAgain = await opened.client.request('explain/traversals', {
      runId: cvae.id,
      seed: 5,
      dims: 2
    })
    expect(seeded.base).toBe('seed')
    expect(seededAgain.grid.data).toBe(seeded.grid.data)
  }, 60_000)

  it('shows per class the samples the classifier is surest of beside the real ones', async () => {
    const report = await opened.client.request('explain/prototypes', {
      runId: cvae.id,
      classifierRunId: classifier.id,
      perClass: 3,
      candidates: 16
    })
    expect(report.generated.count).toBe(30)
    expect(report.generatedConfidence).toHaveLength(30)
    for (let c = 0; c < 10; c++) {
      const mine = report.generatedConfidence.slice(c * 3, c * 3 + 3)
      expect(mine).toEqual([...mine].sort((a, b) => b - a))
    }
    expect(report.real.count).toBe(report.realPerClass.reduce((a, b) => a + b, 0))
    expect(report.realPerClass.every((n) => n <= 3)).toBe(true)
    // Real prototypes are correctly classified test images, surest first.
    const stored = await opened.client.request('runs/predictions', {
      id: classifier.id,
      limit: 1000
    })
    const byIndex = new Map(stored.items.map((p) => [p.idx, p]))
    for (const idx of report.real.indices) {
      const p = byIndex.get(idx)!
      expect(p.predicted).toBe(p.label)
    }
  }, 60_000)

  it('refuses recipes that cannot, with what to use instead', async () => {
    await expect(
      opened.client.request('explain/counterfactuals', {
        runId: classifier.id,
        image: { datasetIndex: wrong.idx }
      })
    ).rejects.toThrow(/Counterfactuals need a cvae, gen-bayes run; run \d+ is a classifier run/)
    await expect(
      opened.client.request('explain/traversals', { runId: cvae.id, classIndex: 12 })
    ).rejects.toThrow(/10 classes \(0–9\); there is no class 12/)
  })

  it('dgmw explain --method counterfactual writes the row and the classifier’s probabilities', () => {
    const out = join(opened.dir.path, 'counterfactual')
    const result = dgmw([
      'explain',
      String(cvae.id),
      `index:${wrong.idx}`,
      '--method',
      'counterfactual',
      '--classifier',
      String(classifier.id),
      '--out',
      out,
      '--data-dir',
      opened.workbench.dataDir
    ])
    expect(result.code, result.stderr).toBe(0)
    const written = JSON.parse(readFileSync(join(out, 'explain.json'), 'utf8'))
    const entry = written.images[0]
    expect(entry.encodedAs).toBe(classifier.classNames[wrong.label])
    expect(entry.decoded).toHaveLength(10)
    expect(readdirSync(out).filter((f) => f.includes('.as-'))).toHaveLength(10)
    expect(readdirSync(out).filter((f) => f.includes('.difference-'))).toHaveLength(10)
    const sum = Object.values(entry.decoded[3].probabilities as Record<string, number>).reduce(
      (a, b) => a + b,
      0
    )
    expect(sum).toBeCloseTo(1, 3)
  }, 60_000)
})
