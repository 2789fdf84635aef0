/**
 * Runs through the contract, as the UI drives them: a real imported dataset, the engine worker on
 * wasm, the real SQLite store. Checks what a researcher relies on: it learns, everything is
 * recorded (config, backend, code version, metrics, evaluation, checkpoint), same seed ⇒ same
 * numbers, the queue, pause/resume/stop, and the NaN guard.
 */
import { existsSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, type Client } from '../../../preload/client'
import type { EventName, EventPayload, RequestArgs, RunSummary } from '../../../preload/contract'
import { importDataset } from '../../../main/datasets/importDataset'
import { createMemoryTransport } from '../../../main/host/memoryTransport'
import { createWorkbench } from '../../../main/host/workbench'
import type { Workbench } from '../../../main/host/workbenchServices'
import { readCheckpoint, writeCheckpoint } from '../../../main/engine/checkpoint'
import type { TrainerState } from '../../../main/engine/trainer'
import { checkpointFile, runDir } from '../../../main/platform/runFiles'
import { tempDir } from '../../helpers/tempDir'
import { writeHalves } from '../../helpers/trainingFixtures'

describe('runs through the contract', () => {
  let dir: ReturnType<typeof tempDir>
  let workbench: Workbench
  let client: Client
  let datasetId: number
  const events: { name: EventName; payload: { runId?: number } }[] = []

  beforeAll(async () => {
    dir = tempDir()
    await writeHalves(join(dir.path, 'halves'))
    workbench = createWorkbench({ dataDir: join(dir.path, 'home'), backend: 'wasm', log: () => {} })
    workbench.bus.subscribe((name, payload) => events.push({ name, payload: payload as never }))
    client = createClient(createMemoryTransport(workbench))
    datasetId = (
      await importDataset(workbench.store, workbench.dataDir, join(dir.path, 'halves'), { seed: 2 })
    ).dataset.id
    await workbench.engine.ready()
  })
  afterAll(async () => {
    await workbench.close()
    dir.cleanup()
  })

  const config = { epochs: 4, batchSize: 16, learningRate: 0.002, seed: 3 }
  const start = (extra: Partial<RequestArgs<'runs/start'>['config']> = {}): Promise<RunSummary> =>
    client.request('runs/start', { datasetId, config: { ...config, ...extra } })
  const settled = (run: RunSummary): Promise<RunSummary> => workbench.runs.settled(run.id)

  it('trains a tiny real dataset better than chance and records everything', async () => {
    // What another process would read of its progress (the run's row) at each progress event.
    const persisted: { step: number; stored: number | undefined }[] = []
    const stopWatching = workbench.bus.subscribe((name, payload) => {
      if (name !== 'train/progress') return
      const p = payload as EventPayload<'train/progress'>
      persisted.push({
        step: p.step,
        stored: workbench.store.runs.summary(p.runId).headline.progress?.step
      })
    })
    const startedAt = Date.now()
    const queued = await start()
    expect(['queued', 'running']).toContain(queued.status) // the engine was free: it started
    const run = await settled(queued)
    stopWatching()
    expect(run.status).toBe('completed')
    // Written at the first event, then at most once a second; gone once the run ended.
    expect(persisted[0].stored).toBe(persisted[0].step)
    expect(persisted.every((p) => p.stored !== undefined && p.stored <= p.step)).toBe(true)
    const writes = new Set(persisted.map((p) => p.stored)).size
    expect(writes).toBeLessThanOrEqual(Math.ceil((Date.now() - startedAt) / 1000) + 1)
    expect(workbench.store.runs.summary(run.id).headline.progress).toBeUndefined()

    const detail = await client.request('runs/get', { id: run.id })
    expect(detail).toMatchObject({
      backend: 'wasm',
      recipe: 'classifier',
      seed: 3,
      hasCheckpoint: true
    })
    expect(detail.config).toMatchObject({ ...config, preset: 'small-cnn', optimizer: 'adam' })
    expect(detail.codeVersion).toMatch(/^\d+\.\d+\.\d+/)
    expect(detail.startedAt && detail.endedAt).toBeTruthy()
    expect(detail.experimentId).toBeTruthy()
    expect(detail.metrics['train/loss']).toHaveLength(4)
    expect(detail.metrics['val/accuracy']).toHaveLength(4)
    expect(detail.metrics.loss.length).toBeGreaterThan(0)
    const trainLoss = detail.metrics['train/loss'].map((p) => p.value)
    expect(trainLoss[3]).toBeLessThan(trainLoss[0])
    expect(detail.headline).toMatchObject({ epochsDone: 4, epochs: 4 })
    expect(detail.headline.testAccuracy).toBeGreaterThanOrEqual(0.75) // chance is 0.5
    const checkpoint = detail.artifacts.find((a) => a.kind === 'checkpoint')!
    expect(existsSync(checkpoint.path)).toBe(true)

    const runEvents = events.filter((e) => e.payload.runId === run.id)
    expect(
      runEvents
        .filter((e) => e.name === 'run/status')
        .map((e) => (e.payload as { status?: string }).status)
    ).toEqual(['queued', 'running', 'completed'])
    expect(runEvents.filter((e) => e.name === 'train/epoch')).toHaveLength(4)
    expect(runEvents.some((e) => e.name === 'train/progress')).toBe(true)
  })

  it('stores an evaluation whose numbers agree with its own predictions', async () => {
    const [run] = await client.request('runs/list', { status: 'completed' })
    const evaluation = (await client.request('runs/evaluation', { id: run.id }))!
    expect(evaluation.labels).toEqual(['left', 'right'])
    const all = await client.request('runs/predictions', { id: run.id, limit: 1000 })
    expect(all.total).toBe(evaluation.count)
    expect(evaluation.count).toBe(8)
    // Recount the confusion matrix and accuracy from the stored per-image predictions.
    const confusion = [
      [0, 0],
      [0, 0]
    ]
    for (const p of all.items) confusion[p.label][p.predicted]++
    expect(evaluation.confusion).toEqual(confusion)
    expect(evaluation.accuracy).toBeCloseTo((confusion[0][0] + confusion[1][1]) / 8, 12)
    expect(run.headline.testAccuracy).toBe(evaluation.accuracy)
    // Most confident first; one cell holds exactly its images.
    const confidences = all.items.map((p) => p.confidence)
    expect([...confidences].sort((a, b) => b - a)).toEqual(confidences)
    const cell = await client.request('runs/predictions', { id: run.id, label: 1, predicted: 1 })
    expect(cell.total).toBe(confusion[1][1])
    expect(cell.items.every((p) => p.label === 1 && p.predicted === 1)).toBe(true)
    const wrong = await client.request('runs/predictions', { id: run.id, wrong: true })
    expect(wrong.total).toBe(confusion[0][1] + confusion[1][0])
    // On demand, the saved weights give the same evaluation again.
    const again = await client.request('runs/evaluate', { id: run.id })
    expect(again.accuracy).toBe(evaluation.accuracy)
    expect(again.confusion).toEqual(evaluation.confusion)
  })

  it('gives the same metrics for the same seed and backend', async () => {
    const [first, second] = await Promise.all([start({ epochs: 2 }), start({ epochs: 2 })])
    await Promise.all([settled(first), settled(second)])
    const a = await client.request('runs/get', { id: first.id })
    const b = await client.request('runs/get', { id: second.id })
    expect(b.metrics['train/loss']).toEqual(a.metrics['train/loss'])
    expect(b.metrics['val/loss']).toEqual(a.metrics['val/loss'])
    expect(b.headline.testAccuracy).toBe(a.headline.testAccuracy)
    const other = await client.request('runs/get', {
      id: (await settled(await start({ epochs: 2, seed: 4 }))).id
    })
    expect(other.metrics['train/loss']).not.toEqual(a.metrics['train/loss'])
  })

  it('trains on exactly its label budget and still evaluates the whole test split', async () => {
    const totals: number[] = []
    const off = workbench.bus.subscribe((name, payload) => {
      if (name === 'train/progress') totals.push((payload as { totalSteps: number }).totalSteps)
    })
    const run = await settled(await start({ labelsPerClass: 5, epochs: 2, minSteps: 0 }))
    off()
    expect(run.status).toBe('completed')
    // 2 classes × 5 labelled images = 10 images: one batch of 16 per epoch, two epochs.
    expect(new Set(totals)).toEqual(new Set([2]))
    const everything = await client.request('runs/evaluation', { id: run.id })
    const full = await client.request('runs/evaluation', {
      id: (await client.request('runs/list', {})).find(
        (r) => r.status === 'completed' && r.id !== run.id
      )!.id
    })
    expect(everything!.count).toBe(full!.count)
    expect((await client.request('runs/get', { id: run.id })).config.labelsPerClass).toBe(5)
  })

  it('queues runs one at a time; pauses, resumes and stops them', async () => {
    const long = await start({ epochs: 400 })
    const waiting = await start()
    expect((await client.request('runs/get', { id: waiting.id })).status).toBe('queued')
    await client.request('runs/stop', { id: waiting.id })
    expect(await settled(waiting)).toMatchObject({ status: 'stopped' })

    await until(() => workbench.store.runs.summary(long.id).status === 'running')
    await client.request('runs/pause', { id: long.id })
    await until(() => workbench.store.runs.summary(long.id).status === 'paused')
    await client.request('runs/resume', { id: long.id })
    await until(() => workbench.store.runs.summary(long.id).status === 'running')
    await expect(client.request('runs/delete', { id: long.id })).rejects.toThrow(
      /stop it before deleting/
    )
    await client.request('runs/stop', { id: long.id })
    expect(await settled(long)).toMatchObject({ status: 'stopped' })

    // A stopped run resumes from its last checkpoint, as a queued run.
    await client.request('runs/resume', { id: waiting.id })
    expect(await settled(waiting)).toMatchObject({ status: 'completed' })
  })

  it('stops a run whose loss becomes NaN or infinite, with a message that says what to do', async () => {
    // A run stopped after epoch 1, whose checkpoint then holds a diverged (NaN) weight.
    const run = await start({ epochs: 3 })
    await until(() => (workbench.store.runs.summary(run.id).headline.epochsDone ?? 0) >= 1)
    await client.request('runs/stop', { id: run.id })
    await settled(run)
    const file = checkpointFile(runDir(workbench.dataDir, run.id))
    const saved = readCheckpoint<TrainerState>(file)
    const [first, ...rest] = saved.weights
    const poisoned = { name: first.name, tensor: tf.fill(first.tensor.shape, Number.NaN) }
    await writeCheckpoint(file, { ...saved, weights: [poisoned, ...rest] })
    tf.dispose([...saved.weights, ...saved.optimizer, poisoned].map((t) => t.tensor))

    await client.request('runs/resume', { id: run.id })
    const failed = await settled(run)
    expect(failed.status).toBe('failed')
    expect(failed.error).toMatch(
      /^(Loss became NaN|Weights became NaN or infinite) at epoch 2, batch \d \(learning rate .*\); training stopped\. The checkpoint of epoch 1 is kept\. Lower the learning rate/
    )
    expect((await client.request('runs/get', { id: run.id })).error).toBe(failed.error)
    // Metrics stay finite: the store refuses NaN, and none was recorded.
    const metrics = (await client.request('runs/get', { id: run.id })).metrics
    expect(
      Object.values(metrics)
        .flat()
        .every((p) => Number.isFinite(p.value))
    ).toBe(true)
  })

  it('renames, tags, annotates and deletes a run with its files', async () => {
    const run = (await client.request('runs/list', { status: 'completed' }))[0]
    const edited = await client.request('runs/update', {
      id: run.id,
      name: 'baseline',
      tags: ['small', 'adam'],
      notes: 'first try'
    })
    expect(edited).toMatchObject({ name: 'baseline', tags: ['small', 'adam'], notes: 'first try' })
    const file = (await client.request('runs/get', { id: run.id })).artifacts[0].path
    await client.request('runs/delete', { id: run.id })
    expect(existsSync(file)).toBe(false)
    await expect(client.request('runs/get', { id: run.id })).rejects.toThrow(/does not exist/)
    await expect(client.request('runs/predictions', { id: run.id })).rejects.toThrow(
      /does not exist/
    )
  })
})

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
