/**
 * Generative models as classifiers, end to end on real Fashion-MNIST images in a real SQLite
 * store, through the contract: SGAN on a label budget plus the unlabelled rest, ACGAN's auxiliary
 * head, the generative Bayes classifier with its out-of-distribution check, synthetic-data
 * augmentation and CAS (which must never read a real training image), and a small label-budget
 * experiment. Each ends with the same evaluation a classifier has.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '../../../preload/client'
import type { Evaluation, RequestArgs, RunDetail } from '../../../preload/contract'
import { datasetSource } from '../../../main/engine/batchSources'
import type { Workbench } from '../../../main/host/workbenchServices'
import { generativeData } from '../../../main/runs/generativeRuns'
import { syntheticSpec } from '../../../main/runs/generatedDataRuns'
import { openFashionWorkbench, type FashionWorkbench } from '../../helpers/fashionWorkbench'
import { syntheticRun } from '../../helpers/syntheticRun'

const small = { width: 8, batchSize: 32, seed: 3 }

/** An evaluation that is a real one: every test image counted once, metrics within range. */
function expectValidEvaluation(evaluation: Evaluation | null, testImages: number): void {
  expect(evaluation).not.toBeNull()
  const e = evaluation!
  expect(e.count).toBe(testImages)
  expect(e.confusion.flat().reduce((a, b) => a + b, 0)).toBe(testImages)
  expect(e.accuracy).toBeGreaterThanOrEqual(0)
  expect(e.accuracy).toBeLessThanOrEqual(1)
  expect(e.perClass).toHaveLength(10)
  expect(Number.isFinite(e.loss)).toBe(true)
}

describe('generative models as classifiers', () => {
  let workbench: Workbench
  let client: Client
  let datasetId: number
  let testImages: number
  let generatorRunId: number

  const train = (args: RequestArgs<'runs/start'>): Promise<RunDetail> => opened.train(args)

  let opened: FashionWorkbench
  beforeAll(async () => {
    opened = await openFashionWorkbench(30)
    ;({ workbench, client } = opened)
    datasetId = opened.report.dataset.id
    testImages = opened.report.splits.test
  }, 60_000)
  afterAll(() => opened.close())

  it('hides every label outside the SGAN budget, keeping the images as unlabelled data', () => {
    const data = generativeData(workbench.store, datasetId, 'sgan', { labelsPerClass: 2, seed: 4 })
    expect(data.labelledIndices).toHaveLength(20)
    const labelled = new Set(data.labelledIndices)
    for (const i of data.trainIndices) expect(data.labels[i] >= 0).toBe(labelled.has(i))
    expect(data.trainIndices.length).toBeGreaterThan(100)
    // Validation is held to the same budget; the test split keeps every label.
    expect(data.valIndices.length).toBeLessThanOrEqual(20)
    expect(data.evalIndices).toHaveLength(testImages)
  })

  it('trains SGAN on 5 labels per class plus the unlabelled rest, and evaluates it', async () => {
    const run = await train({
      datasetId,
      recipe: 'sgan',
      config: { ...small, epochs: 2, labelsPerClass: 5, minSteps: 0 }
    })
    expect(run.headline.labelledImages).toBe(50)
    expect(run.metrics['d/supervised_loss']?.length).toBeGreaterThan(0)
    expect(run.metrics['d/unsupervised_loss']?.length).toBeGreaterThan(0)
    expect(run.headline.testAccuracy).toBeGreaterThan(0)
    expectValidEvaluation(await client.request('runs/evaluation', { id: run.id }), testImages)
  }, 240_000)

  it("evaluates an ACGAN's auxiliary head as a classifier, again on demand", async () => {
    const run = await train({ datasetId, recipe: 'acgan', config: { ...small, epochs: 2 } })
    const evaluation = await client.request('runs/evaluation', { id: run.id })
    expectValidEvaluation(evaluation, testImages)
    const again = await client.request('runs/evaluate', { id: run.id })
    expect(again.confusion).toEqual(evaluation!.confusion)
  }, 240_000)

  it('classifies with a generative Bayes classifier and flags images no class explains', async () => {
    const run = await train({
      datasetId,
      recipe: 'gen-bayes',
      config: { ...small, epochs: 8, latentDim: 8, importanceSamples: 4, oodQuantile: 0.1 }
    })
    generatorRunId = run.id
    const evaluation = await client.request('runs/evaluation', { id: run.id })
    expectValidEvaluation(evaluation, testImages)
    // Better than chance (10%) after a few epochs on 20 images a class.
    expect(evaluation!.accuracy).toBeGreaterThan(0.3)
    const ood = evaluation!.outOfDistribution!
    expect(ood.calibrationImages).toBeGreaterThan(0)
    expect(ood.quantile).toBe(0.1)
    expect(Number.isFinite(ood.threshold)).toBe(true)
    expect(ood.flaggedIndices).toHaveLength(ood.flagged)
    expect(run.headline.oodRate).toBeCloseTo(ood.flagged / testImages, 10)
  }, 240_000)

  it('trains a classifier on real plus generated images (augment)', async () => {
    const run = await train({
      datasetId,
      recipe: 'augment',
      config: { epochs: 2, batchSize: 32, seed: 1, generatorRunId, syntheticRatio: 0.5 }
    })
    expectValidEvaluation(await client.request('runs/evaluation', { id: run.id }), testImages)
    // Compared with the same classifier on real images only, queued as its twin.
    const twin = await client.request('runs/get', { id: run.headline.realOnlyRunId! })
    expect(twin).toMatchObject({ recipe: 'classifier', status: 'completed' })
    expect(twin.config).toMatchObject({ epochs: 2, batchSize: 32, seed: 1 })
    expect(twin.config.generatorRunId).toBeUndefined()
    expect(twin.headline.testAccuracy).toBeGreaterThan(0)
    const spec = syntheticSpec(
      workbench.store,
      workbench.dataDir,
      syntheticRun(workbench.store, run.id),
      {
        resume: false,
        evaluateOnly: false
      }
    )
    expect(spec.data.kind === 'dataset' && spec.data.generated?.only).toBe(false)
  }, 240_000)

  it('scores CAS on generated images only: no real training image is ever read', async () => {
    const args = {
      datasetId,
      recipe: 'cas' as const,
      config: { epochs: 2, batchSize: 32, seed: 1, generatorRunId }
    }
    const first = await train(args)
    const spec = syntheticSpec(
      workbench.store,
      workbench.dataDir,
      syntheticRun(workbench.store, first.id),
      {
        resume: false,
        evaluateOnly: false
      }
    )
    if (spec.data.kind !== 'dataset') throw new Error('expected dataset data')
    const realCount = spec.data.labels.length
    const generatedCount = spec.data.generated!.perClass * 10
    const source = datasetSource(spec.data, 1, {
      pixels: new Uint8Array(generatedCount * 28 * 28),
      labels: Array.from({ length: generatedCount }, (_, i) => i % 10)
    })
    expect(source.trainIndices).toHaveLength(generatedCount)
    expect(source.trainIndices.every((i) => i >= realCount)).toBe(true)
    // Behaviour, not bookkeeping: wreck every real training image in the cache, train again
    // with the same seed, and get the very same predictions.
    const cacheFile = spec.data.cacheFile
    const pixels = readFileSync(cacheFile)
    const size = 28 * 28
    for (const i of spec.data.trainIndices) pixels.fill(255, i * size, (i + 1) * size)
    writeFileSync(cacheFile, pixels)
    const second = await train(args)
    const before = await client.request('runs/predictions', { id: first.id, limit: 1000 })
    const after = await client.request('runs/predictions', { id: second.id, limit: 1000 })
    const byIndex = (items: typeof before.items) =>
      [...items].sort((a, b) => a.idx - b.idx).map((p) => [p.idx, p.predicted])
    expect(byIndex(after.items)).toEqual(byIndex(before.items))
  }, 240_000)
})
