/**
 * Ingestion at scale on the real one-node Slurm cluster (docs/cluster-scale.md): one real tiny run
 * trains on the cluster and becomes the template; then a burst of runs (a label-budget experiment
 * among them) is queued on a profile whose jobs replay that template's folder
 * (scripts/cluster-replay-job.sh) instead of training. Slurm, the shared folder, the executor's
 * polling, SQLite and the contract requests the UI makes are all real; only the compute is not.
 *
 * Measured while they ingest: job end to 'completed' in SQLite, SQLite writes, host CPU, the
 * cost of each poll, one jobStatuses() call for every id, runs/list and labelBudgetResult every
 * 500 ms, and the cluster's throughput. Figures are printed, and written as JSON to
 * $DGMW_CLUSTER_SCALE_REPORT when set. CI: 100 runs; DGMW_CAMPAIGN_SCALE=full
 * (scripts/cluster-scale.sh): 1,000, the most one job array holds with Slurm's default
 * MaxArraySize (1001). Asserted: nothing lost, every run completed with the template's test
 * accuracy and metrics rows, every figure finite; the figures' sizes are not asserted.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, type Client } from '../../../preload/client'
import type { RequestArgs, RunSummary } from '../../../preload/contract'
import type { PollCost } from '../../../main/cluster/slurmExecutor'
import { cancelJob, jobStatuses } from '../../../main/cluster/slurmCommands'
import { importDataset } from '../../../main/datasets/importDataset'
import { createMemoryTransport } from '../../../main/host/memoryTransport'
import { createWorkbench } from '../../../main/host/workbench'
import type { Workbench } from '../../../main/host/workbenchServices'
import { databaseFileName } from '../../../main/platform/dataDir'
import { ensureSlurmCluster } from '../../helpers/slurmCluster'
import { tempDir } from '../../helpers/tempDir'
import { writeFashionSubset } from '../../helpers/fashionSubset'

const full = process.env.DGMW_CAMPAIGN_SCALE === 'full'
/** Runs queued in the burst, and how many of them the label-budget experiment is. */
const total = Number(process.env.DGMW_CLUSTER_SCALE_RUNS) || (full ? 1000 : 100)
const seeds = full ? 10 : 2
const budgets = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
const replayScript = join(__dirname, '../../../scripts/cluster-replay-job.sh')
/** The product's default poll interval: latency is measured as a user would see it. */
const pollMs = Number(process.env.DGMW_CLUSTER_POLL_MS) || 2000

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Rejects after `ms`: every wait here is bounded. */
function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Timed out after ${ms / 1000} s: ${what}`)), ms)
    })
  ])
}

interface Spread {
  n: number
  p50: number
  p95: number
  max: number
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] }
}

const round = (x: number, digits = 1): number => Number(x.toFixed(digits))

describe(`ingesting ${total} replayed jobs from the one-node Slurm cluster`, () => {
  let dir: ReturnType<typeof tempDir>
  let home: string
  let workbench: Workbench
  let client: Client
  let datasetId: number
  const polls: PollCost[] = []

  beforeAll(async () => {
    await ensureSlurmCluster()
    dir = tempDir()
    home = join(dir.path, 'home')
    // 30 a class: a label budget of 10 a class leaves the class images to spare after the split.
    await writeFashionSubset(join(dir.path, 'clothes'), 30)
    workbench = createWorkbench({
      dataDir: home,
      backend: 'wasm',
      log: () => {},
      // Nothing trains here: the local engine stays unstarted, its CPU out of the figures.
      engineOnDemand: true,
      onClusterPoll: (poll) => polls.push(poll)
    })
    client = createClient(createMemoryTransport(workbench))
    datasetId = (
      await importDataset(workbench.store, workbench.dataDir, join(dir.path, 'clothes'), {
        seed: 2
      })
    ).dataset.id
    mkdirSync(join(dir.path, 'shared'))
  }, 120_000)

  afterAll(async () => {
    if (!workbench) return
    const live = workbench.store.runs
      .list({ limit: 100_000 })
      .filter((r) => r.headline.cluster?.jobId && r.headline.cluster.state !== 'COMPLETED')
    await Promise.all(live.map((r) => cancelJob(r.headline.cluster!.jobId!).catch(() => {})))
    await workbench.close()
    dir.cleanup()
  })

  const profile = {
    sharedFolder: '',
    cpus: 1,
    memoryMiB: 256,
    timeLimitMinutes: 20,
    backend: 'wasm' as const
  }
  const cluster = (runId: number) => workbench.store.runs.summary(runId).headline.cluster!

  it(`records a real run as the template, then ingests ${total} replays of it`, async () => {
    const shared = join(dir.path, 'shared')
    await client.request('cluster/saveProfile', {
      name: 'one-node',
      ...profile,
      sharedFolder: shared
    })

    // 1. The template: one real tiny training on the cluster.
    const templateRun = await client.request('runs/start', {
      datasetId,
      config: { epochs: 3, batchSize: 16, learningRate: 0.002, seed: 1 },
      runOn: 'one-node'
    } as RequestArgs<'runs/start'>)
    const trained = await within(
      'the template run',
      300_000,
      workbench.runs.settled(templateRun.id)
    )
    expect(trained.error).toBeNull()
    expect(trained.status).toBe('completed')
    const template = cluster(templateRun.id).folder
    const templateAccuracy = trained.headline.testAccuracy
    expect(templateAccuracy).toBeGreaterThan(0)
    const templateEvents = readFileSync(join(template, 'events.jsonl'), 'utf8').trim().split('\n')
    const eventTypes = templateEvents.map((line) => (JSON.parse(line) as { type: string }).type)
    expect(eventTypes).toContain('done')

    const databaseFile = join(home, databaseFileName)
    const reader = new Database(databaseFile, { readonly: true })
    const metricRows = (runId: number): unknown[] =>
      reader
        .prepare(
          'SELECT name, step, epoch, value FROM metrics WHERE run_id = ? ORDER BY name, step'
        )
        .all(runId)
    const templateRows = metricRows(templateRun.id)
    expect(templateRows.length).toBeGreaterThan(0)
    const countRows = (table: string): number =>
      (reader.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
    // The WAL apart: SQLite checkpoints it into the file every 1,000 pages but keeps its size.
    const databaseBytes = (): { file: number; wal: number } => ({
      file: statSync(databaseFile).size,
      wal: existsSync(`${databaseFile}-wal`) ? statSync(`${databaseFile}-wal`).size : 0
    })

    // 2. The replay profile: its jobs write the template's stream into their own run folder.
    await client.request('cluster/saveProfile', {
      name: 'replay',
      ...profile,
      sharedFolder: shared,
      launch: `bash ${replayScript} ${template}`
    })

    // Every SQLite write transaction the workbench makes, counted and timed where it is made.
    const writes = { transactions: 0, ms: 0 }
    const store = workbench.store
    const writeTransaction = store.writeTransaction.bind(store)
    store.writeTransaction = ((write: () => void) => {
      const began = performance.now()
      try {
        return writeTransaction(write)
      } finally {
        writes.transactions += 1
        writes.ms += performance.now() - began
      }
    }) as typeof store.writeTransaction

    const completedAt = new Map<number, number>()
    const unsubscribe = workbench.bus.subscribe((name, payload) => {
      if (name !== 'run/status') return
      const { runId, status } = payload as { runId: number; status: string }
      if (status === 'completed' && !completedAt.has(runId)) completedAt.set(runId, Date.now())
    })

    const before = {
      metrics: countRows('metrics'),
      bytes: databaseBytes(),
      cpu: process.cpuUsage()
    }
    polls.length = 0

    // 3. The burst: the experiment and the plain runs queued without a pause in between, so
    // the executor submits them as one job array.
    const burstAt = Date.now()
    const experimentReply = client.request('experiments/labelBudget', {
      datasetId,
      recipes: ['classifier'],
      budgets,
      seeds,
      steps: 30,
      batchSize: 16,
      runOn: 'replay'
    })
    const plain = Array.from({ length: total - budgets.length * seeds }, (_, k) =>
      client.request('runs/start', {
        datasetId,
        config: { epochs: 3, batchSize: 16, learningRate: 0.002, seed: 100 + k },
        runOn: 'replay'
      } as RequestArgs<'runs/start'>)
    )
    const experiment = await experimentReply
    const runs: RunSummary[] = await Promise.all(plain)
    const ids = [
      ...experiment.cells.flatMap((c) => c.runs.map((r) => r.runId)),
      ...runs.map((r) => r.id)
    ]
    expect(ids.length).toBe(total)
    const queuedAt = Date.now()

    // 4. The UI's requests every 500 ms while the runs come in: how long each took, and how
    // late the first one started (the event loop was busy with a poll when it was due).
    const ui = { list: [] as number[], result: [] as number[], late: [] as number[] }
    const loop = monitorEventLoopDelay({ resolution: 10 })
    loop.enable()
    let ingesting = true
    const probing = (async () => {
      let due = performance.now()
      while (ingesting) {
        const a = performance.now()
        await client.request('runs/list', { limit: 500 })
        const b = performance.now()
        await client.request('experiments/labelBudgetResult', { id: experiment.experiment.id })
        ui.late.push(a - due)
        ui.list.push(b - a)
        ui.result.push(performance.now() - b)
        due = performance.now() + 500
        await sleep(500)
      }
    })()

    const submitted = await within(
      'every run submitted',
      120_000,
      (async function wait() {
        while (!ids.every((id) => workbench.store.runs.summary(id).headline.cluster?.jobId))
          await sleep(100)
        return Date.now()
      })()
    )
    // The cluster needs ~0.3-1 s a job on 2 shared cores: 1,000 get up to 30 minutes.
    const ended = await within(
      `${total} runs ingested`,
      Math.max(600_000, total * 1800),
      Promise.all(ids.map((id) => workbench.runs.settled(id)))
    )
    const doneAt = Date.now()
    ingesting = false
    await probing
    const cpu = process.cpuUsage(before.cpu)
    loop.disable()
    unsubscribe()

    // 5. Nothing lost: every run completed, with the template's accuracy and metrics rows.
    expect(ended.filter((r) => r.status === 'completed').length).toBe(total)
    expect(ended.every((r) => r.headline.testAccuracy === templateAccuracy)).toBe(true)
    const arrays = new Set(ids.map((id) => cluster(id).jobId!.split('_')[0]))
    for (const id of ids) expect(metricRows(id)).toEqual(templateRows)
    const result = await client.request('experiments/labelBudgetResult', {
      id: experiment.experiment.id
    })
    expect(result.done).toBe(budgets.length * seeds)
    for (const cell of result.cells) {
      expect(cell.runs.map((r) => r.testAccuracy)).toEqual(Array(seeds).fill(templateAccuracy))
      expect(cell.mean).toBeCloseTo(templateAccuracy!, 12)
    }

    // 6. One status call for every id, as a poll of all of them makes.
    const statusCalls: number[] = []
    for (let k = 0; k < 3; k++) {
      const a = performance.now()
      const statuses = await jobStatuses(ids.map((id) => cluster(id).jobId!))
      statusCalls.push(performance.now() - a)
      expect(statuses.size).toBe(total)
    }

    // ended-at: the job's `date +%s%N` right after it wrote its `done` record.
    const jobEnds = ids.map((id) =>
      Number(BigInt(readFileSync(join(cluster(id).folder, 'ended-at'), 'utf8').trim()) / 1_000_000n)
    )
    const latencies = ids.map((id, k) => completedAt.get(id)! - jobEnds[k])
    const after = { metrics: countRows('metrics'), bytes: databaseBytes() }
    reader.close()
    const busyPolls = polls.filter((p) => p.followed > 0)
    const seconds = (doneAt - burstAt) / 1000
    const report = {
      runs: total,
      jobArrays: arrays.size,
      labelBudgetRuns: budgets.length * seeds,
      pollMs,
      machine: 'one-node Slurm (2 cores, shared with other test suites), replayed jobs',
      // Jobs at once: CPUs, times the partition's OverSubscribe (other suites change it).
      partition: execFileSync('scontrol', ['show', 'partition', '-o'], { encoding: 'utf8' })
        .match(/(TotalCPUs|OverSubscribe)=\S+/g)
        ?.join(' '),
      templateEvents: eventTypes.length,
      templateMetricRowsPerRun: templateRows.length,
      wall: {
        queueSeconds: round((queuedAt - burstAt) / 1000, 2),
        submitSeconds: round((submitted - burstAt) / 1000, 2),
        totalSeconds: round(seconds),
        firstJobEndToLastSeconds: round((Math.max(...jobEnds) - Math.min(...jobEnds)) / 1000),
        jobsPerSecond: round(total / seconds, 2)
      },
      endToCompletedMs: spread(latencies),
      sqlite: {
        metricRowsWritten: after.metrics - before.metrics,
        writeTransactions: writes.transactions,
        writeMs: round(writes.ms),
        fileBytesBefore: before.bytes.file,
        fileBytesAfter: after.bytes.file,
        walBytesBefore: before.bytes.wal,
        walBytesAfter: after.bytes.wal,
        specJsonBytes: statSync(join(cluster(ids[0]).folder, 'spec.json')).size
      },
      hostCpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
      polls: {
        count: busyPolls.length,
        maxFollowed: Math.max(...busyPolls.map((p) => p.followed)),
        statusMs: spread(busyPolls.map((p) => p.statusMs)),
        followMs: spread(busyPolls.map((p) => p.followMs)),
        statusSeconds: round(busyPolls.reduce((sum, p) => sum + p.statusMs, 0) / 1000, 2),
        followSeconds: round(busyPolls.reduce((sum, p) => sum + p.followMs, 0) / 1000, 2),
        records: busyPolls.reduce((sum, p) => sum + p.records, 0),
        copies: busyPolls.reduce((sum, p) => sum + p.copies, 0),
        copiedMiB: round(busyPolls.reduce((sum, p) => sum + p.copiedBytes, 0) / 2 ** 20)
      },
      jobStatusesAllIdsMs: spread(statusCalls),
      ui: {
        runsListMs: spread(ui.list),
        labelBudgetResultMs: spread(ui.result),
        lateMs: spread(ui.late)
      },
      eventLoopDelayMs: {
        p50: round(loop.percentile(50) / 1e6),
        p99: round(loop.percentile(99) / 1e6),
        max: round(loop.max / 1e6)
      }
    }
    printTable(report)
    if (process.env.DGMW_CLUSTER_SCALE_REPORT)
      writeFileSync(process.env.DGMW_CLUSTER_SCALE_REPORT, JSON.stringify(report, null, 1) + '\n')

    for (const figure of [
      report.endToCompletedMs,
      report.polls.statusMs,
      report.polls.followMs,
      report.jobStatusesAllIdsMs,
      report.ui.runsListMs,
      report.ui.labelBudgetResultMs,
      report.ui.lateMs,
      report.eventLoopDelayMs
    ])
      for (const value of Object.values(figure)) expect(Number.isFinite(value)).toBe(true)
    expect(report.sqlite.metricRowsWritten).toBe(total * templateRows.length)
    // A replayed run's records arrive in one poll: its checkpoint is copied home once, not once
    // per epoch and again for `done` (the executor copied it 4 times a run before).
    // (twice for a run whose `done` came a poll after its last epoch).
    expect(report.polls.copies).toBeGreaterThanOrEqual(total)
    expect(report.polls.copies).toBeLessThan(total * 2)
  }, 3_600_000)
})

function printTable(report: {
  runs: number
  endToCompletedMs: Spread
  polls: { statusMs: Spread; followMs: Spread }
  jobStatusesAllIdsMs: Spread
  ui: { runsListMs: Spread; labelBudgetResultMs: Spread; lateMs: Spread }
}): void {
  const rows = {
    'job end → completed in SQLite (ms)': report.endToCompletedMs,
    'poll: jobStatuses (ms)': report.polls.statusMs,
    'poll: read streams + record (ms)': report.polls.followMs,
    [`jobStatuses(${report.runs} ids) after (ms)`]: report.jobStatusesAllIdsMs,
    'UI runs/list limit 500 (ms)': report.ui.runsListMs,
    'UI labelBudgetResult (ms)': report.ui.labelBudgetResultMs,
    'UI request started late by (ms)': report.ui.lateMs
  }
  console.table(
    Object.fromEntries(
      Object.entries(rows).map(([name, s]) => [
        name,
        { n: s.n, p50: round(s.p50), p95: round(s.p95), max: round(s.max) }
      ])
    )
  )
  console.log(`cluster scale figures: ${JSON.stringify(report, null, 1)}`)
}
