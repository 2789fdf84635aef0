/**
 * Soak (issue 18): a data directory with 2,000 runs and 50 datasets, timed through the real
 * dispatch (runs list, compare, the label-budget view), its database size; then many short
 * trainings through one long-lived workbench and engine worker, with the host's RSS and the
 * worker's tensor count sampled after each. Timings and the memory curve are recorded (printed
 * and written to $DGMW_SOAK_REPORT when set), not asserted; flat memory is.
 *
 * CI size by default; `scripts/soak.sh` (DGMW_CAMPAIGN_SCALE=full) runs the long version.
 */
import { statSync, writeFileSync } from 'node:fs'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { afterAll, describe, expect, it } from 'vitest'
import { createClient } from '../../preload/client'
import {
  classifierConfigSchema,
  type LabelBudgetResult,
  type RunDetail,
  type RunSummary
} from '../../preload/contract'
import { importDataset } from '../../main/datasets/importDataset'
import type { TrainSpec } from '../../main/engine/engineMessages'
import { createMemoryTransport } from '../../main/host/memoryTransport'
import { createWorkbench } from '../../main/host/workbench'
import { databaseFileName } from '../../main/platform/dataDir'
import { seedLargeHistory } from '../helpers/seedLargeHistory'
import { tempDir } from '../helpers/tempDir'
import { writeHalves } from '../helpers/trainingFixtures'

const full = process.env.DGMW_CAMPAIGN_SCALE === 'full'
const size = {
  runs: 2000,
  datasets: 50,
  imagesPerDataset: full ? 5000 : 1000,
  stepsPerEpoch: full ? 100 : 25
}
/** Short trainings in a row: 30 in CI, 400 for the long version (a night of 1-epoch runs). */
const trainings = full ? 400 : 30

const report: Record<string, unknown> = { scale: full ? 'full' : 'ci', size, trainings }

/** Milliseconds per call of `call`, `times` times: median, 95th percentile, max. */
async function timed(times: number, call: () => Promise<unknown>) {
  const ms: number[] = []
  for (let i = 0; i < times; i++) {
    const start = performance.now()
    await call()
    ms.push(performance.now() - start)
  }
  ms.sort((a, b) => a - b)
  const at = (q: number): number =>
    Number(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))].toFixed(1))
  return { median: at(0.5), p95: at(0.95), max: at(1) }
}

describe('soak', () => {
  const dir = tempDir('dgmw-soak-')
  afterAll(() => {
    console.log(`soak figures: ${JSON.stringify(report, null, 1)}`)
    if (process.env.DGMW_SOAK_REPORT)
      writeFileSync(process.env.DGMW_SOAK_REPORT, JSON.stringify(report, null, 1))
    dir.cleanup()
  })

  it('keeps the runs list, compare and the label-budget view responsive at 2,000 runs', async () => {
    const dataDir = join(dir.path, 'history')
    let start = performance.now()
    const seeded = seedLargeHistory(dataDir, size)
    report.seedSeconds = Number(((performance.now() - start) / 1000).toFixed(1))
    start = performance.now()
    // The browser host's workbench, without an engine: this part reads only.
    const workbench = createWorkbench({ dataDir, backend: 'wasm', engineOnDemand: true })
    report.openMs = Number((performance.now() - start).toFixed(1))
    const client = createClient(createMemoryTransport(workbench))
    try {
      const all = await client.request('runs/list', { limit: 100_000 })
      expect(all.length, `seed ${seeded.seed}`).toBe(size.runs)
      const budget: LabelBudgetResult = await client.request('experiments/labelBudgetResult', {
        id: seeded.labelBudgetId
      })
      expect(budget.total).toBe(36)
      expect(budget.cells.every((c) => c.runs.length === 3 && c.mean !== null)).toBe(true)
      const compared: RunDetail[] = await Promise.all(
        seeded.comparedIds.map((id) => client.request('runs/get', { id }))
      )
      expect(compared.every((r) => r.metrics.loss.length > 0)).toBe(true)

      const n = full ? 50 : 15
      report.timingsMs = {
        'runs/list (default, 500)': await timed(n, () => client.request('runs/list', {})),
        'runs/list (all 2,000)': await timed(n, () =>
          client.request('runs/list', { limit: 100_000 })
        ),
        'runs/list status=completed': await timed(n, () =>
          client.request('runs/list', { status: 'completed' })
        ),
        'runs/list status=failed': await timed(n, () =>
          client.request('runs/list', { status: 'failed' })
        ),
        'compare 4 runs (runs/get + runs/evaluation each)': await timed(n, () =>
          Promise.all(
            seeded.comparedIds.flatMap((id) => [
              client.request('runs/get', { id }),
              client.request('runs/evaluation', { id })
            ])
          )
        ),
        'experiments/labelBudgetResult (36 runs)': await timed(n, () =>
          client.request('experiments/labelBudgetResult', { id: seeded.labelBudgetId })
        ),
        'datasets/list (50)': await timed(n, () => client.request('datasets/list')),
        'experiments/list': await timed(n, () => client.request('experiments/list'))
      }
    } finally {
      await workbench.close()
    }
    const file = join(dataDir, databaseFileName)
    const mb = (path: string): number => {
      try {
        return Number((statSync(path).size / 2 ** 20).toFixed(1))
      } catch {
        return 0
      }
    }
    const db = new Database(file, { readonly: true })
    const count = (table: string): number =>
      db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number
    report.database = {
      fileMb: mb(file),
      walMb: mb(`${file}-wal`),
      rows: Object.fromEntries(
        ['runs', 'metrics', 'dataset_images', 'predictions'].map((t) => [t, count(t)])
      )
    }
    db.close()
    expect(mb(file)).toBeGreaterThan(0)
  }, 600_000)

  it('holds memory flat over many short trainings in one workbench and engine', async () => {
    const folder = join(dir.path, 'halves')
    await writeHalves(folder, 24)
    const workbench = createWorkbench({
      dataDir: join(dir.path, 'trainings'),
      backend: 'wasm',
      log: () => {}
    })
    const client = createClient(createMemoryTransport(workbench))
    try {
      const { dataset } = await importDataset(workbench.store, workbench.dataDir, folder)
      expect(await workbench.engine.ready()).toMatchObject({ state: 'ready' })
      // A two-step job after each run: the tensors the worker holds at its epoch end, the same
      // number every time unless a run left tensors behind.
      const probe: TrainSpec = {
        data: { kind: 'squares', samples: 64, height: 28, width: 28, channels: 1, classes: 4 },
        config: classifierConfigSchema.parse({ epochs: 1, batchSize: 32, minSteps: 0, seed: 1 })
      }
      const samples: { run: number; rssMb: number; heapMb: number; tensors: number }[] = []
      const started = performance.now()
      for (let i = 0; i < trainings; i++) {
        const queued: RunSummary = await client.request('runs/start', {
          datasetId: dataset.id,
          config: { epochs: 1, batchSize: 8, minSteps: 0, seed: i }
        })
        const run = await workbench.runs.settled(queued.id)
        expect(run.status, `run ${i}: ${run.error}`).toBe('completed')
        const { tensorsPerEpoch } = await workbench.engine.train(probe).done
        const memory = process.memoryUsage()
        samples.push({
          run: i + 1,
          rssMb: Number((memory.rss / 2 ** 20).toFixed(1)),
          heapMb: Number((memory.heapUsed / 2 ** 20).toFixed(1)),
          tensors: tensorsPerEpoch[0]
        })
      }
      const half = samples.slice(Math.floor(samples.length / 2))
      const rssGrowthSecondHalf = half.at(-1)!.rssMb - half[0].rssMb
      report.trainingsSeconds = Number(((performance.now() - started) / 1000).toFixed(1))
      report.memory = {
        rssMbFirst: samples[0].rssMb,
        rssMbPeak: Math.max(...samples.map((s) => s.rssMb)),
        rssMbLast: samples.at(-1)!.rssMb,
        rssGrowthSecondHalfMb: Number(rssGrowthSecondHalf.toFixed(1)),
        tensorCounts: [...new Set(samples.map((s) => s.tensors))],
        // Every 10th sample (and the last): the curve.
        curve: samples.filter((_, k) => k % 10 === 0 || k === samples.length - 1)
      }
      // The worker holds the same tensors after every run: nothing leaks from run to run.
      expect(new Set(samples.map((s) => s.tensors)).size).toBe(1)
      // RSS (host and worker thread share the process) does not keep climbing: a generous bound,
      // as the allocator and JIT settle at their own pace.
      expect(rssGrowthSecondHalf).toBeLessThan(full ? 150 : 100)
    } finally {
      await workbench.close()
    }
  }, 900_000)
})
