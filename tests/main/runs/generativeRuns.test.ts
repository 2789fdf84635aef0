/**
 * Generative runs through the contract, as the UI drives them: real Fashion-MNIST images imported
 * into a real SQLite store, the engine worker on wasm. A cVAE run records its losses, draws a
 * timelapse of grids the UI can fetch, is measured once a classifier exists, and serves samples,
 * reconstructions and a latent map from its saved weights.
 */
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '../../../preload/client'
import type { Workbench } from '../../../main/host/workbenchServices'
import { openFashionWorkbench, type FashionWorkbench } from '../../helpers/fashionWorkbench'

describe('generative runs through the contract', () => {
  let workbench: Workbench
  let client: Client
  let datasetId: number
  let runId: number

  let opened: FashionWorkbench
  beforeAll(async () => {
    opened = await openFashionWorkbench(30)
    ;({ workbench, client } = opened)
    datasetId = opened.report.dataset.id
  }, 60_000)
  afterAll(() => opened.close())

  it('trains a cVAE, storing its filled-in config, losses and timelapse', async () => {
    const grids: number[] = []
    workbench.bus.subscribe((name, payload) => {
      if (name === 'run/sampleGrid') grids.push((payload as { step: number }).step)
    })
    const queued = await client.request('runs/start', {
      datasetId,
      recipe: 'cvae',
      config: { epochs: 2, batchSize: 32, width: 8, latentDim: 2, snapshotsPerEpoch: 2, seed: 1 }
    })
    const run = await workbench.runs.settled(queued.id)
    runId = run.id
    expect(run.status).toBe('completed')
    const detail = await client.request('runs/get', { id: runId })
    // Defaults filled in and stored, so the run says exactly what trained.
    expect(detail.config).toMatchObject({
      latentDim: 2,
      klWeight: 1,
      decoder: 'bernoulli',
      beta1: 0.9
    })
    expect(detail.metrics['vae/kl']?.length).toBeGreaterThan(0)
    expect(detail.metrics['train/vae/reconstruction']).toHaveLength(2)
    const listed = await client.request('runs/sampleGrids', { id: runId })
    expect(listed.map((g) => g.step)).toEqual(grids)
    expect(listed[0]).toMatchObject({ step: 0, epoch: 0, rows: 10, cols: 8 })
    const last = await client.request('runs/sampleGrid', { id: runId, step: listed.at(-1)!.step })
    expect(await sharp(Buffer.from(last.png, 'base64')).metadata()).toMatchObject({
      format: 'png',
      height: 10 * 28 + 11 * 2
    })
    // No classifier on this dataset: trained, but unmeasured, and asking says what to do.
    expect(detail.headline.fd).toBeUndefined()
    await expect(client.request('runs/score', { id: runId })).rejects.toThrow(/Train one/)
  }, 180_000)

  it('generates per class, deterministically for a seed, and refuses a class that does not exist', async () => {
    const a = await client.request('runs/generate', { id: runId, n: 5, classLabel: 3, seed: 9 })
    const b = await client.request('runs/generate', { id: runId, n: 5, classLabel: 3, seed: 9 })
    expect(a).toMatchObject({
      count: 5,
      width: 28,
      height: 28,
      channels: 1,
      labels: [3, 3, 3, 3, 3]
    })
    expect(a.data).toBe(b.data)
    const line = await client.request('runs/generate', {
      id: runId,
      n: 6,
      seed: 9,
      interpolate: true
    })
    expect(line.labels).toEqual([0, 0, 0, 0, 0, 0])
    await expect(client.request('runs/generate', { id: runId, classLabel: 12 })).rejects.toThrow(
      /classes 0–9/
    )
  })

  it('shows reconstructions beside originals and the 2-D latent itself', async () => {
    const pairs = await client.request('runs/reconstructions', { id: runId, count: 4 })
    expect(Buffer.from(pairs.data, 'base64')).toHaveLength(8 * 28 * 28)
    // Several classes, not the first four test images of one.
    const labelOf = (i: number) => workbench.store.datasets.labelsAndSplits(datasetId)[i].label
    expect(new Set(pairs.indices.map(labelOf)).size).toBe(4)
    const preview = await client.request('datasets/augmentPreview', {
      id: datasetId,
      augmentation: {},
      images: 4
    })
    expect(new Set(preview.indices.map(labelOf)).size).toBe(4)
    const map = await client.request('runs/latentMap', { id: runId, count: 50 })
    expect(map.projection).toBe('latent')
    expect(map.points).toHaveLength(map.labels.length)
    expect(map.points.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y))).toBe(true)
  })

  it('is measured by a classifier of the same dataset once one exists', async () => {
    const classifier = await client.request('runs/start', {
      datasetId,
      config: { epochs: 1, batchSize: 32, seed: 1 }
    })
    expect((await workbench.runs.settled(classifier.id)).status).toBe('completed')
    const scores = await client.request('runs/score', { id: runId })
    expect(scores.evaluatorRunId).toBe(classifier.id)
    expect(scores.fd).toBeGreaterThan(0)
    expect(scores.perClassAccuracy).toHaveLength(10)
    const detail = await client.request('runs/get', { id: runId })
    expect(detail.headline.fd).toBeCloseTo(scores.fd, 6)
    expect(detail.metrics['score/fd']?.at(-1)?.value).toBeCloseTo(scores.fd, 6)
    // Stored whole, per-class accuracies included, for the run tab to show without measuring again.
    expect((await client.request('runs/scores', { id: runId })).at(-1)).toEqual(scores)

    // A run started now is measured untrained (recorded at once) and at its end.
    const gan = await client.request('runs/start', {
      datasetId,
      recipe: 'dcgan',
      config: { epochs: 1, batchSize: 32, width: 8, latentDim: 8, scoreSamples: 200, seed: 1 }
    })
    expect((await workbench.runs.settled(gan.id)).status).toBe('completed')
    const measured = await client.request('runs/scores', { id: gan.id })
    const ganDetail = await client.request('runs/get', { id: gan.id })
    // At step 0 and at the last step (the end of its one epoch).
    expect(measured.map((m) => m.step)).toEqual([0, ganDetail.metrics['train/d/loss'][0].step])
    expect(ganDetail.headline.fdUntrained).toBeCloseTo(measured[0].fd, 6)
    expect(ganDetail.headline.fd).toBeCloseTo(measured[1].fd, 6)
    // The headline names the classifier behind each score.
    expect(ganDetail.headline.evaluatorRunId).toBe(classifier.id)
    expect(ganDetail.headline.fdUntrainedEvaluatorRunId).toBe(classifier.id)

    // Measured again with a classifier it names: the headline follows, the untrained FD keeps its own.
    const second = await client.request('runs/start', {
      datasetId,
      config: { epochs: 1, batchSize: 32, seed: 2 }
    })
    expect((await workbench.runs.settled(second.id)).status).toBe('completed')
    const again = await client.request('runs/score', { id: gan.id, evaluatorRunId: second.id })
    expect(again.evaluatorRunId).toBe(second.id)
    const remeasured = await client.request('runs/get', { id: gan.id })
    expect(remeasured.headline.evaluatorRunId).toBe(second.id)
    expect(remeasured.headline.fdUntrainedEvaluatorRunId).toBe(classifier.id)
    await expect(
      client.request('runs/score', { id: gan.id, evaluatorRunId: gan.id })
    ).rejects.toThrow(/must be a trained classifier on the same dataset/)
  }, 180_000)
})
