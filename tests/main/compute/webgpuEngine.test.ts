/**
 * The engine worker on WebGPU (SwiftShader in CI): it reports the adapter, trains with losses read
 * back in groups (progress still arrives, tensors stay flat from epoch to epoch), obeys pause and
 * stop, and the app keeps answering the contract while the GPU trains. No adapter fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '../../../preload/client'
import { classifierConfigSchema, type ClassifierConfig } from '../../../preload/contract'
import type { TrainSpec } from '../../../main/compute/engineMessages'
import { createMemoryTransport } from '../../../main/host/memoryTransport'
import { createWorkbench, type Workbench } from '../../../main/host/workbench'
import { tempDir } from '../../helpers/tempDir'
import { noAdapterAdvice, useWebgpuForTests } from '../../helpers/webgpuAdapter'

const spec = (overrides: Partial<ClassifierConfig> = {}): TrainSpec => ({
  data: { kind: 'synthetic', samples: 256, height: 16, width: 16, channels: 1, classes: 4 },
  config: classifierConfigSchema.parse({
    epochs: 3,
    batchSize: 8,
    learningRate: 0.003,
    seed: 7,
    ...overrides
  })
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
    expect(status.gpu?.description).toBeTruthy()
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
    const events: string[] = []
    let paused = false
    const job = workbench.engine.train(spec({ epochs: 50 }), {
      onProgress: () => {
        if (!paused) {
          paused = true
          job.pause()
        }
      },
      onPaused: () => {
        events.push('paused')
        job.resume()
      },
      onResumed: () => {
        events.push('resumed')
        job.stop()
      }
    })
    const result = await job.done
    expect(events).toEqual(['paused', 'resumed'])
    expect(result.status).toBe('stopped')
    expect(result.steps).toBeLessThan(50 * 32)
  }, 300_000)
})
