/**
 * SGAN as the paper ran it (`arch: mlp-wn`), on real Fashion-MNIST images in a real store: the
 * weight-normalised discriminator trains in (v, g, b), its data-dependent initialisation gives the
 * first layer pre-activations of mean 0 and std 1, the evaluation network holds the bias-corrected
 * average of the effective weights g·v/‖v‖, and the run evaluates, resumes from its checkpoint
 * and exports to ONNX through plain dense layers that onnxruntime runs.
 */
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveGenerativeConfig } from '../../../preload/contract'
import { datasetSource } from '../../../main/engine/batchSources'
import {
  buildGenerativeModel,
  disposeGenerativeModel
} from '../../../main/engine/models/generative'
import { readStepLosses } from '../../../main/engine/models/generative/recipe'
import { generativeData } from '../../../main/runs/generativeRuns'
import { openFashionWorkbench, type FashionWorkbench } from '../../helpers/fashionWorkbench'

describe('SGAN with the paper’s weight-normalised MLPs', () => {
  let opened: FashionWorkbench

  beforeAll(async () => {
    // The step test builds the model here, on the cpu backend; the run test uses the engine.
    await tf.setBackend('cpu')
    opened = await openFashionWorkbench(30)
  }, 60_000)
  afterAll(() => opened.close())

  it('initialises from data, trains in (v, g, b) and evaluates with the corrected average', async () => {
    const { workbench } = opened
    const datasetId = opened.report.dataset.id
    const config = resolveGenerativeConfig('sgan', { arch: 'mlp-wn', labelsPerClass: 3, seed: 2 })
    expect(config).toMatchObject({ latentDim: 100, batchSize: 100, learningRate: 3e-3, beta1: 0.5 })
    const data = generativeData(workbench.store, datasetId, 'sgan', config)
    const model = buildGenerativeModel({
      recipe: 'sgan',
      shape: { height: 28, width: 28, channels: 1 },
      classes: 10,
      config,
      totalSteps: 2
    })
    const source = datasetSource({ ...data, normalisation: 'unit' }, 2, undefined, false)
    try {
      const unlabelled = source.batch(data.trainIndices.slice(0, 100), -1)
      const labelled = source.batch(data.labelledIndices!, -1)
      const buffers = model.buffers!
      const kernel = (k: number): tf.Tensor2D =>
        tf.tidy(() => {
          const v = buffers[`d${k}/v`]
          return tf.mul(v, tf.div(buffers[`d${k}/g`], tf.norm(v, 'euclidean', 0))) as tf.Tensor2D
        })
      const losses = await readStepLosses(model.step(unlabelled.x, unlabelled.y, 0, labelled))
      for (const value of Object.values(losses)) expect(Number.isFinite(value)).toBe(true)
      // One Adam step after the data-dependent init: the first layer's pre-activations on the
      // init batch are still close to mean 0 and std 1.
      const pre = tf.tidy(() =>
        tf.add(tf.matMul(tf.reshape(unlabelled.x, [100, -1]), kernel(0)), buffers['d0/b'])
      )
      const { mean, variance } = tf.moments(pre, 0)
      const means = Array.from(await mean.data())
      const stds = Array.from(await variance.data(), Math.sqrt)
      expect(Math.abs(means.reduce((a, b) => a + b, 0) / means.length)).toBeLessThan(0.2)
      expect(stds.reduce((a, b) => a + b, 0) / stds.length).toBeGreaterThan(0.7)
      expect(stds.reduce((a, b) => a + b, 0) / stds.length).toBeLessThan(1.3)
      // After step 1 the corrected average is exactly that step's weights.
      const dense = model.nets.discriminator.layers.filter((l) => l.getClassName() === 'Dense')
      const w1 = kernel(0)
      const first = await w1.data()
      const deployed = await (dense[0].getWeights()[0] as tf.Tensor).data()
      let worst = 0
      for (let i = 0; i < first.length; i++)
        worst = Math.max(worst, Math.abs(first[i] - deployed[i]))
      expect(worst).toBeLessThan(1e-4)
      // After step 2 it is (β·W1 + W2) / (1 + β), not W2 and not pulled towards zero.
      await readStepLosses(model.step(unlabelled.x, unlabelled.y, 1, labelled))
      const second = await kernel(0).data()
      const averaged = await (dense[0].getWeights()[0] as tf.Tensor).data()
      worst = 0
      for (let i = 0; i < first.length; i++)
        worst = Math.max(worst, Math.abs((0.999 * first[i] + second[i]) / 1.999 - averaged[i]))
      expect(worst).toBeLessThan(1e-4)
      expect(Array.from(second).some((v, i) => Math.abs(v - first[i]) > 1e-4)).toBe(true)
      const scores = model.classify!(labelled.x)
      expect(scores.shape).toEqual([30, 10])
      tf.dispose([
        unlabelled.x,
        unlabelled.y,
        labelled.x,
        labelled.y,
        pre,
        mean,
        variance,
        w1,
        scores
      ])
    } finally {
      disposeGenerativeModel(model)
      source.dispose()
    }
  }, 120_000)

  it('trains as a run, evaluates again from its checkpoint, and exports to ONNX', async () => {
    const datasetId = opened.report.dataset.id
    const run = await opened.train({
      datasetId,
      recipe: 'sgan',
      config: {
        arch: 'mlp-wn',
        epochs: 2,
        minSteps: 0,
        labelsPerClass: 3,
        snapshotsPerEpoch: 1,
        seed: 1
      }
    })
    expect(run.config).toMatchObject({ arch: 'mlp-wn', latentDim: 100, batchSize: 100 })
    const evaluation = await opened.client.request('runs/evaluation', { id: run.id })
    expect(evaluation!.count).toBe(opened.report.splits.test)
    expect(evaluation!.accuracy).toBeGreaterThan(0.1)
    const again = await opened.client.request('runs/evaluate', { id: run.id })
    expect(again.confusion).toEqual(evaluation!.confusion)
    const out = join(opened.dir.path, 'sgan-onnx')
    const exported = await opened.client.request('runs/export', {
      id: run.id,
      format: 'onnx',
      out
    })
    const classifier = exported.networks.find((n) => n.role === 'classifier')!
    expect(classifier.verification.runtime).toMatch(/^onnxruntime-node/)
    expect(classifier.verification.sameTop1).toBe(classifier.verification.count)
  }, 300_000)
})
