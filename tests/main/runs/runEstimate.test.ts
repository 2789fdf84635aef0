/**
 * Time estimates before long work: the pure choice of a measured speed and its wording, then the
 * whole path on a real workbench — a probe in the engine when nothing ran yet, the history once a
 * run completed, and a label-budget plan's total.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classifierConfigSchema, type RunEstimate } from '../../../preload/contract'
import {
  durationText,
  estimateOf,
  modelOf,
  sourceText,
  throughputFromHistory,
  type SpeedKey
} from '../../../main/runs/runEstimate'
import type { CompletedRun } from '../../../main/store/runRepository'
import { openFashionWorkbench, type FashionWorkbench } from '../../helpers/fashionWorkbench'

const key: SpeedKey = {
  backend: 'wasm',
  recipe: 'classifier',
  model: 'small-cnn',
  shape: '28×28×1',
  batchSize: 64
}
const past = (id: number, extra: Partial<CompletedRun> = {}): CompletedRun => ({
  id,
  recipe: 'classifier',
  config: classifierConfigSchema.parse({ preset: 'small-cnn', batchSize: 64 }),
  headline: { imagesPerSecond: 640, plannedSteps: 100 },
  backend: 'wasm',
  startedAt: '2026-01-01T00:00:00.000Z',
  endedAt: '2026-01-01T00:00:30.000Z',
  shape: '28×28×1',
  ...extra
})

describe('the measured speed', () => {
  it('comes from the newest run of the same recipe, model, backend and shape', () => {
    const t = throughputFromHistory(
      [
        past(3),
        past(9),
        past(12, { backend: 'webgpu · NVIDIA' }),
        past(13, { shape: '32×32×3' }),
        past(14, { config: classifierConfigSchema.parse({ preset: 'deep-cnn', batchSize: 64 }) }),
        past(15, { recipe: 'sgan' })
      ],
      key
    )!
    expect(t.source).toEqual({ kind: 'run', runId: 9 })
    // 64 images per step at 640 images/s; 100 steps are 10 s of the 30 s it took.
    expect(t.secondsPerStep).toBeCloseTo(0.1)
    expect(t.overheadSeconds).toBeCloseTo(20)
  })

  it('prefers the same batch size, and scales another one by its images per step', () => {
    const other = past(20, {
      config: classifierConfigSchema.parse({ preset: 'small-cnn', batchSize: 128 })
    })
    expect(throughputFromHistory([past(5), other], key)!.source).toEqual({ kind: 'run', runId: 5 })
    const scaled = throughputFromHistory([other], key)!
    expect(scaled.source).toEqual({ kind: 'run', runId: 20 })
    expect(scaled.secondsPerStep).toBeCloseTo(0.1) // 128/640 s per step of 128 → 0.1 s per 64
  })

  it('is unknown when no run matches or none recorded its speed', () => {
    expect(throughputFromHistory([], key)).toBeNull()
    expect(throughputFromHistory([past(1, { headline: { plannedSteps: 10 } })], key)).toBeNull()
  })

  it("names a classifier by its preset and a generator by its recipe's network", () => {
    expect(modelOf('classifier', {})).toBe('small-cnn')
    expect(modelOf('augment', { preset: 'deep-cnn' })).toBe('deep-cnn')
    expect(modelOf('dcgan', { arch: 'conv', width: 32 })).toBe('dcgan conv width 32')
  })
})

describe('the estimate as it is said', () => {
  it('reads as hours and minutes', () => {
    expect(durationText(6 * 3600 + 20 * 60)).toBe('≈ 6 h 20 min')
    expect(durationText(2 * 3600 + 10)).toBe('≈ 2 h')
    expect(durationText(14.6 * 60)).toBe('≈ 15 min')
    expect(durationText(45)).toBe('≈ 45 s')
    expect(durationText(0.2)).toBe('≈ 1 s')
  })

  it('says where the speed came from', () => {
    expect(sourceText([{ kind: 'run', runId: 12 }])).toBe('measured from run #12')
    expect(sourceText([{ kind: 'probe' }])).toBe('measured just now, training steps only')
    expect(
      sourceText([
        { kind: 'run', runId: 12 },
        { kind: 'run', runId: 12 },
        { kind: 'run', runId: 15 },
        { kind: 'probe' }
      ])
    ).toBe('measured from runs #12, #15 and a probe just now, training steps only')
  })

  it('adds up every planned run on this backend and its threads', () => {
    const estimate = estimateOf(
      [
        {
          planned: { key, steps: 1000, count: 45 },
          throughput: { secondsPerStep: 0.5, overheadSeconds: 6.67, source: { kind: 'probe' } }
        }
      ],
      { backend: 'wasm', threads: 2 }
    )
    expect(estimate.runs).toBe(45)
    expect(estimate.text).toBe('45 runs ≈ 6 h 20 min on wasm · 2 threads')
    expect(estimate.source).toBe('measured just now, training steps only')
    const one = estimateOf(
      [
        {
          planned: { key, steps: 10 },
          throughput: { secondsPerStep: 1, overheadSeconds: 2, source: { kind: 'run', runId: 4 } }
        }
      ],
      { backend: 'wasm', threads: 1 }
    )
    expect(one.text).toBe('≈ 12 s on wasm · 1 thread')
  })
})

describe('estimates on a real workbench', () => {
  let fashion: FashionWorkbench
  beforeAll(async () => {
    fashion = await openFashionWorkbench(20)
  }, 120_000)
  afterAll(() => fashion?.close())

  const config = { epochs: 2, batchSize: 32, seed: 1 }

  it('probes the engine when nothing ran, then uses the completed run', async () => {
    const datasetId = fashion.report.dataset.id
    const first = await fashion.client.request('runs/preview', {
      datasetId,
      recipe: 'classifier',
      config
    })
    const probed = first.estimate as RunEstimate
    expect(probed.source).toBe('measured just now, training steps only')
    expect(probed.text).toMatch(/^≈ \d+ (s|min) on wasm · \d+ threads?$/)
    expect(probed.seconds).toBeGreaterThan(0)

    const run = await fashion.train({ datasetId, recipe: 'classifier', config })
    const second = await fashion.client.request('runs/preview', {
      datasetId,
      recipe: 'classifier',
      config
    })
    expect((second.estimate as RunEstimate).source).toBe(`measured from run #${run.id}`)
    // The run's own time (steps and overhead) is what the estimate repeats.
    const wall = (Date.parse(run.endedAt!) - Date.parse(run.startedAt!)) / 1000
    expect((second.estimate as RunEstimate).seconds).toBeCloseTo(wall, 0)
  }, 180_000)

  it('waits for the engine to be free before probing a recipe nobody ran', async () => {
    const datasetId = fashion.report.dataset.id
    const running = await fashion.client.request('runs/start', {
      datasetId,
      recipe: 'classifier',
      config: { ...config, epochs: 3 }
    })
    const preview = await fashion.client.request('runs/preview', {
      datasetId,
      recipe: 'dcgan',
      config: { epochs: 1, batchSize: 32 }
    })
    expect(preview.estimate).toEqual({
      unavailable:
        'No dcgan run finished on wasm yet; its speed is measured when the engine is free.'
    })
    expect((await fashion.workbench.runs.settled(running.id)).status).toBe('completed')
  }, 120_000)

  it('lets a run started during a probe wait for it, then train', async () => {
    const datasetId = fashion.report.dataset.id
    const probing = fashion.client.request('runs/preview', {
      datasetId,
      recipe: 'vae',
      config: { epochs: 1, batchSize: 32 }
    })
    // The preview reaches main first (one transport, in order); the run queues behind the probe.
    await new Promise((resolve) => setTimeout(resolve, 50))
    const run = await fashion.client.request('runs/start', {
      datasetId,
      recipe: 'classifier',
      config: { ...config, epochs: 1 }
    })
    expect(((await probing).estimate as RunEstimate).source).toBe(
      'measured just now, training steps only'
    )
    const settled = await fashion.workbench.runs.settled(run.id)
    expect(settled.error).toBeNull()
    expect(settled.status).toBe('completed')
  }, 120_000)

  it('totals a label-budget plan', async () => {
    const preview = await fashion.client.request('experiments/labelBudgetPreview', {
      datasetId: fashion.report.dataset.id,
      recipes: ['classifier'],
      budgets: [5, 10],
      seeds: 2,
      steps: 50,
      batchSize: 32
    })
    expect(preview.runs).toBe(4)
    const estimate = preview.estimate as RunEstimate
    expect(estimate.text).toMatch(/^4 runs ≈ \d+ (s|min) on wasm · \d+ threads?$/)
    expect(estimate.source).toMatch(/^measured from run #\d+$/)
    // The steps that fit the plan in about 15 minutes here: planned at them, it says so.
    expect(preview.fitSteps).toBeGreaterThan(50)
    const fitted = await fashion.client.request('experiments/labelBudgetPreview', {
      datasetId: fashion.report.dataset.id,
      recipes: ['classifier'],
      budgets: [5, 10],
      seeds: 2,
      steps: preview.fitSteps!,
      batchSize: 32
    })
    const seconds = (fitted.estimate as RunEstimate).seconds
    // Within the 25 steps of rounding to 50, or shorter: at 5 labels per class the cap of 1,000
    // epochs can stop a run before the fitted steps.
    expect(seconds).toBeLessThanOrEqual(15 * 60 + (seconds / preview.fitSteps!) * 25 + 1)
    expect(seconds).toBeGreaterThan(60)
    expect((fitted.estimate as RunEstimate).text).toMatch(/^4 runs ≈ \d+ min on wasm/)
  }, 120_000)
})
