/**
 * The engine worker on WebGPU (SwiftShader in CI): it reports the adapter, trains with losses read
 * back in groups (progress still arrives, tensors stay flat from epoch to epoch), obeys pause and
 * stop, and the app keeps answering the contract while the GPU trains. No adapter fails the test.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '../../../preload/client'
import {
  classifierConfigSchema,
  resolveGenerativeConfig,
  type ClassifierConfig
} from '../../../preload/contract'
import type {
  GenerativeTrainSpec,
  SampleSnapshot,
  TrainSpec
} from '../../../main/engine/engineMessages'
import { createMemoryTransport } from '../../../main/host/memoryTransport'
import { createWorkbench } from '../../../main/host/workbench'
import type { Workbench } from '../../../main/host/workbenchServices'
import { pauseResumeStop } from '../../helpers/engineControl'
import { tempDir } from '../../helpers/tempDir'
import {
  expectAdapterReport,
  noAdapterAdvice,
  useWebgpuForTests
} from '../../helpers/webgpuAdapter'

const spec = (overrides: Partial<ClassifierConfig> = {}): TrainSpec => ({
  data: { kind: 'squares', samples: 256, height: 16, width: 16, channels: 1, classes: 4 },
  config: classifierConfigSchema.parse({
    epochs: 3,
    batchSize: 8,
    learningRate: 0.003,
    seed: 7,
    ...overrides
  })
})

/** ACGAN: conditional, classifies, and draws grids; 16×16 so SwiftShader runs it in seconds. */
const generative = (
  checkpointDir: string,
  epochs: number,
  resume = false
): GenerativeTrainSpec => ({
  recipe: 'acgan',
  data: { kind: 'squares', samples: 64, height: 16, width: 16, channels: 1, classes: 4 },
  config: resolveGenerativeConfig('acgan', {
    epochs,
    batchSize: 16,
    width: 4,
    latentDim: 8,
    snapshotsPerEpoch: 1,
    seed: 3
  }),
  checkpointDir,
  resume
})

describe('training in the engine worker on WebGPU', () => {
  let dir: ReturnType<typeof tempDir>
  let workbench: Workbench

  beforeAll(async () => {
    useWebgpuForTests()
    dir = tempDir()
    workbench = createWorkbench({ dataDir: dir.path, backend: 'webgpu', log: () => {} })
    const status = await workbench.engine.ready()
    expect(status.active, `${status.error ?? ''} ${noAdapterAdvice}`).toBe('webgpu')
    expectAdapterReport(status.gpu)
  }, 120_000)
  afterAll(async () => {
    await workbench.close()
    dir.cleanup()
  })

  it('learns, reports progress, and keeps its tensor count flat; the app answers meanwhile', async () => {
    const client = createClient(createMemoryTransport(workbench))
    const progress: number[] = []
    let finished = false
    const job = workbench.engine.train(spec(), { onProgress: (p) => progress.push(p.loss) })
    void job.done.then(() => (finished = true))
    const latencies: number[] = []
    while (!finished) {
      const started = performance.now()
      const status = await client.request('engine/status')
      expect(status.active).toBe('webgpu')
      await client.request('runs/list')
      if (!finished) latencies.push(performance.now() - started)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const result = await job.done
    expect(result).toMatchObject({ status: 'completed', steps: 96, backend: 'webgpu' })
    expect(result.accuracy).toBeGreaterThan(0.6) // chance is 0.25
    expect(progress.length).toBeGreaterThan(0)
    progress.forEach((loss) => expect(Number.isFinite(loss)).toBe(true))
    expect(result.tensorsPerEpoch).toHaveLength(3)
    expect(new Set(result.tensorsPerEpoch).size).toBe(1)
    expect(latencies.length).toBeGreaterThan(5)
    console.info(
      `WebGPU training: ${latencies.length} contract round trips, slowest ${Math.max(...latencies).toFixed(1)} ms`
    )
  }, 300_000)

  it('pauses, resumes and stops on command', async () => {
    const { events, result } = await pauseResumeStop(workbench.engine, spec({ epochs: 50 }))
    expect(events).toEqual(['paused', 'resumed'])
    expect(result.status).toBe('stopped')
    expect(result.steps).toBeLessThan(50 * 32)
  }, 300_000)

  it('trains a generative model: grids, evaluation, and a resume to the same numbers', async () => {
    const snapshots: SampleSnapshot[] = []
    const lossesOf = async (folder: string, epochs: number, resume: boolean) => {
      const losses: Record<string, number>[] = []
      const result = await workbench.engine.train(generative(folder, epochs, resume), {
        // A resumed run first reports again the epoch its checkpoint ends: not a new epoch.
        onEpoch: (e) => e.replayed || losses.push(e.metrics),
        onSnapshot: (s) => snapshots.push(s)
      }).done
      return { losses, result }
    }
    const reference = await lossesOf(join(dir.path, 'reference'), 3, false)
    expect(reference.result).toMatchObject({ status: 'completed', steps: 12, backend: 'webgpu' })
    expect(new Set(reference.result.tensorsPerEpoch).size).toBe(1)
    // ACGAN's discriminator classifies: evaluated on the test split like a classifier.
    expect(Number.isFinite(reference.result.accuracy)).toBe(true)
    expect(reference.result.evaluated?.predicted.length).toBe(64)
    expect(snapshots.map((s) => s.step)).toEqual([0, 4, 8, 12])
    const png = await sharp(readFileSync(snapshots.at(-1)!.path)).metadata()
    expect(png).toMatchObject({ format: 'png', height: 4 * 16 + 5 * 2 })
    expect(snapshots.every((s) => Number.isFinite(s.diversity) && s.diversity > 0)).toBe(true)

    const first = await lossesOf(join(dir.path, 'interrupted'), 2, false)
    const rest = await lossesOf(join(dir.path, 'interrupted'), 3, true)
    const pick = (m: Record<string, number>) => [m['train/d/loss'], m['train/g/loss']]
    expect([...first.losses, ...rest.losses].map(pick)).toEqual(reference.losses.map(pick))
  }, 300_000)

  it('stops a run whose batch does not fit the GPU, naming the batch size to lower', async () => {
    // 4,096 images of 64×64 in one batch: the first convolution's output (2.1 GB) is larger than
    // any buffer this adapter allows, so the GPU refuses it.
    const huge = spec({ epochs: 1, batchSize: 4096 })
    const job = workbench.engine.train({
      ...huge,
      data: { ...huge.data, samples: 4096, height: 64, width: 64 }
    } as TrainSpec)
    await expect(job.done).rejects.toThrow(/GPU ran out of memory at batch size 4096.*try 2048/s)
    // The engine is still usable afterwards.
    const after = await workbench.engine.train(spec({ epochs: 1 })).done
    expect(after.status).toBe('completed')
  }, 300_000)
})
