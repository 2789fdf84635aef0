/**
 * Runs on a real one-node Slurm cluster (scripts/slurm-cluster.sh, started here): each run is a
 * task of a job array running the built `dgmw train --run-spec` against its folder in a shared
 * folder, and comes back into the same SQLite history as a local run. Checks that a small
 * label-budget experiment gives the local executor's accuracies seed for seed; that scancel shows
 * as cancelled, a job Slurm requeues goes on from its checkpoint to the uninterrupted numbers, a
 * job whose process dies fails with its error log, and a job pending on what the partition cannot
 * give shows Slurm's reason; and that a workbench restarted while a job runs picks it up again.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, type Client } from '../../../preload/client'
import type { RequestArgs, RunDetail, RunSummary } from '../../../preload/contract'
import { eventsFile, type RunEvent } from '../../../main/cluster/runEvents'
import { cancelJob, jobStatuses, requeueJob } from '../../../main/cluster/slurmCommands'
import { importDataset } from '../../../main/datasets/importDataset'
import { createMemoryTransport } from '../../../main/host/memoryTransport'
import { createWorkbench } from '../../../main/host/workbench'
import type { Workbench } from '../../../main/host/workbenchServices'
import { ensureSlurmCluster } from '../../helpers/slurmCluster'
import { tempDir } from '../../helpers/tempDir'
import { writeFashionSubset } from '../../helpers/fashionSubset'

const waitFor = async <T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 300_000
): Promise<T> => {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value) return value
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe('runs on a real one-node Slurm cluster', () => {
  let dir: ReturnType<typeof tempDir>
  let home: string
  let workbench: Workbench
  let client: Client
  let datasetId: number
  const submitted: string[] = []

  const open = (): void => {
    workbench = createWorkbench({
      dataDir: home,
      backend: 'wasm',
      log: () => {},
      adoptClusterRuns: true
    })
    client = createClient(createMemoryTransport(workbench))
  }

  beforeAll(async () => {
    await ensureSlurmCluster()
    process.env.DGMW_CLUSTER_POLL_MS = '300'
    dir = tempDir()
    home = join(dir.path, 'home')
    await writeFashionSubset(join(dir.path, 'clothes'), 20)
    open()
    datasetId = (
      await importDataset(workbench.store, workbench.dataDir, join(dir.path, 'clothes'), {
        seed: 2
      })
    ).dataset.id
    const profile = {
      sharedFolder: join(dir.path, 'shared'),
      cpus: 1,
      memoryMiB: 1024,
      timeLimitMinutes: 20,
      backend: 'wasm' as const
    }
    execFileSync('mkdir', ['-p', profile.sharedFolder])
    await client.request('cluster/saveProfile', { name: 'one-node', ...profile })
    // More time than the partition's MaxTime (60 min): Slurm holds it back, saying why.
    await client.request('cluster/saveProfile', {
      name: 'too-long',
      ...profile,
      timeLimitMinutes: 120
    })
    await workbench.engine.ready()
  }, 120_000)

  afterAll(async () => {
    if (!workbench) return
    for (const run of workbench.store.runs.list({ limit: 1000 }))
      if (run.headline.cluster?.jobId) submitted.push(run.headline.cluster.jobId)
    await Promise.all(submitted.map((id) => cancelJob(id).catch(() => undefined)))
    await workbench.close()
    dir.cleanup()
  })

  const cluster = (runId: number) => workbench.store.runs.summary(runId).headline.cluster
  const config = { epochs: 6, batchSize: 16, learningRate: 0.002, seed: 4 }
  const start = (runOn?: string, extra: object = {}): Promise<RunSummary> =>
    client.request('runs/start', {
      datasetId,
      config: { ...config, ...extra },
      ...(runOn ? { runOn } : {})
    } as RequestArgs<'runs/start'>)
  const events = (runId: number): RunEvent[] =>
    readFileSync(eventsFile(cluster(runId)!.folder), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RunEvent)
  const epochLosses = (run: RunDetail): number[] => run.metrics['train/loss'].map((p) => p.value)

  it("runs a label-budget experiment as one job array, with the local executor's accuracies", async () => {
    const plan = {
      datasetId,
      recipes: ['classifier', 'sgan'] as const,
      budgets: [3, 0],
      seeds: 1,
      steps: 12,
      batchSize: 16
    }
    const local = await client.request('experiments/labelBudget', {
      ...plan,
      recipes: [...plan.recipes]
    })
    const remote = await client.request('experiments/labelBudget', {
      ...plan,
      recipes: [...plan.recipes],
      runOn: 'one-node'
    })
    const ids = (result: typeof local): number[] =>
      result.cells.flatMap((c) => c.runs.map((r) => r.runId))
    for (const id of [...ids(local), ...ids(remote)]) await workbench.runs.settled(id)
    const localResult = await client.request('experiments/labelBudgetResult', {
      id: local.experiment.id
    })
    const remoteResult = await client.request('experiments/labelBudgetResult', {
      id: remote.experiment.id
    })
    expect(remoteResult.done).toBe(4)
    for (const [k, cell] of remoteResult.cells.entries()) {
      const twin = localResult.cells[k]
      expect([cell.recipe, cell.budget]).toEqual([twin.recipe, twin.budget])
      expect(cell.runs[0].status).toBe('completed')
      expect(cell.runs[0].testAccuracy).not.toBeNull()
      expect(cell.runs[0].testAccuracy).toBe(twin.runs[0].testAccuracy)
    }
    // One job array: every run a task of the same job, recorded as completed by Slurm too.
    const jobs = ids(remote).map((id) => cluster(id)!)
    const arrays = new Set(jobs.map((job) => job.jobId!.split('_')[0]))
    expect(arrays.size).toBe(1)
    expect(jobs.map((job) => job.state)).toEqual([
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
      'COMPLETED'
    ])
    // The same history as a local run: backend, curves, a local checkpoint to export from.
    const run = await client.request('runs/get', { id: ids(remote)[0] })
    expect(run.backend).toBe('wasm')
    expect(run.hasCheckpoint).toBe(true)
    expect(run.artifacts.find((a) => a.kind === 'checkpoint')!.path.startsWith(home)).toBe(true)
  }, 600_000)

  it("shows a job pending on what the partition cannot give with Slurm's reason, and cancels it", async () => {
    const run = await start('too-long')
    // Slurm first says PartitionConfig, then, once its scheduler has looked, the limit.
    const pending = await waitFor('the pending reason', () => {
      const job = cluster(run.id)
      return job?.state === 'PENDING' && job.reason === 'PartitionTimeLimit' ? job : undefined
    })
    expect(pending.jobId).toMatch(/^\d+_0$/)
    expect(workbench.store.runs.summary(run.id).status).toBe('queued')
    await client.request('runs/stop', { id: run.id })
    const ended = await workbench.runs.settled(run.id)
    expect(ended.status).toBe('stopped')
    expect(ended.error).toMatch(/Cancelled \(scancel \d+_0\)/)
    // Deleting the run deletes its folder in the shared folder too.
    const folder = cluster(run.id)!.folder
    expect(existsSync(join(folder, 'spec.json'))).toBe(true)
    await client.request('runs/delete', { id: run.id })
    expect(existsSync(folder)).toBe(false)
  }, 360_000)

  it('shows a job cancelled with scancel as cancelled; resumed, a new job goes on from its checkpoint', async () => {
    const run = await start('one-node', { epochs: 30 })
    const job = await waitFor('the first epoch', () => {
      const c = cluster(run.id)
      return (workbench.store.runs.summary(run.id).headline.epochsDone ?? 0) >= 1 ? c : undefined
    })
    // Cancelled from a terminal, as a person on the login node would.
    execFileSync('scancel', [job.jobId!])
    const ended = await workbench.runs.settled(run.id)
    expect(ended.status).toBe('stopped')
    expect(ended.error).toMatch(/cancelled in Slurm/)
    expect(cluster(run.id)!.state).toBe('CANCELLED')
    expect((await client.request('runs/get', { id: run.id })).hasCheckpoint).toBe(true)
    // Resumed: submitted again as a new job, from the checkpoint in its shared folder.
    await client.request('runs/resume', { id: run.id })
    const resumed = await workbench.runs.settled(run.id)
    expect(resumed.error).toBeNull()
    expect(resumed.status).toBe('completed')
    expect(cluster(run.id)!.jobId).not.toBe(job.jobId)
    expect(cluster(run.id)!.folder).toBe(job.folder)
    const starts = events(run.id).filter((e) => e.type === 'start')
    expect(starts.length).toBe(2)
    expect(starts[1].type === 'start' && starts[1].start.fromEpoch).toBeGreaterThanOrEqual(1)
    const detail = await client.request('runs/get', { id: run.id })
    expect(detail.metrics['train/loss'].map((p) => p.epoch)).toEqual([...Array(30).keys()])
  }, 420_000)

  it('goes on from its checkpoint when Slurm requeues the job, ending as an uninterrupted run', async () => {
    // The local twin trains in this process meanwhile: its numbers are the uninterrupted ones.
    const reference = await start(undefined, { seed: 9, epochs: 12 })
    const run = await start('one-node', { seed: 9, epochs: 12 })
    const job = await waitFor('two epochs recorded', () =>
      (workbench.store.runs.summary(run.id).headline.epochsDone ?? 0) >= 2
        ? cluster(run.id)
        : undefined
    )
    await requeueJob(job.jobId!)
    const [ended] = await Promise.all([run, reference].map((r) => workbench.runs.settled(r.id)))
    expect(ended.error).toBeNull()
    expect(ended.status).toBe('completed')
    const attempts = events(run.id).filter((e) => e.type === 'attempt')
    expect(attempts.length).toBe(2)
    const starts = events(run.id).filter((e) => e.type === 'start')
    expect(starts[1].type === 'start' && starts[1].start.fromEpoch).toBeGreaterThanOrEqual(2)
    expect(cluster(run.id)!.requeues).toBeGreaterThanOrEqual(1)
    const [a, b] = await Promise.all(
      [reference.id, run.id].map((id) => client.request('runs/get', { id }))
    )
    expect(b.headline.testAccuracy).toBe(a.headline.testAccuracy)
    expect(epochLosses(b)).toEqual(epochLosses(a))
  }, 420_000)

  it('stops at its checkpoint before the time limit, requeues itself and ends as an uninterrupted run', async () => {
    // One minute per job, signalled 55 s before its end (Slurm signals up to a minute early):
    // every attempt stops at a checkpoint and requeues itself until the run is done.
    await client.request('cluster/saveProfile', {
      ...(await client.request('cluster/profiles')).find((p) => p.name === 'one-node')!,
      name: 'one-minute',
      timeLimitMinutes: 1,
      signalSeconds: 55
    })
    // The local twin trains in this process meanwhile: its numbers are the uninterrupted ones.
    const reference = await start(undefined, { seed: 13, epochs: 100 })
    const run = await start('one-minute', { seed: 13, epochs: 100 })
    const [ended] = await Promise.all([run, reference].map((r) => workbench.runs.settled(r.id)))
    expect(ended.error).toBeNull()
    expect(ended.status).toBe('completed')
    const signalled = events(run.id).filter((e) => e.type === 'signalled')
    expect(signalled.length).toBeGreaterThanOrEqual(1)
    expect(
      signalled.every((e) => e.type === 'signalled' && e.signal === 'SIGUSR1' && e.requeue)
    ).toBe(true)
    expect(cluster(run.id)!.requeues).toBeGreaterThanOrEqual(1)
    const [a, b] = await Promise.all(
      [reference.id, run.id].map((id) => client.request('runs/get', { id }))
    )
    expect(b.headline.testAccuracy).toBe(a.headline.testAccuracy)
    expect(epochLosses(b)).toEqual(epochLosses(a))
  }, 600_000)

  it('fails a job whose process dies, with the end of its error log', async () => {
    const run = await start('one-node', { epochs: 200 })
    const job = await waitFor('the first epoch', () =>
      (workbench.store.runs.summary(run.id).headline.epochsDone ?? 0) >= 1
        ? cluster(run.id)
        : undefined
    )
    // The node's workbench process dies (out of memory killer, a segfault in a driver).
    execFileSync('pkill', ['-KILL', '-f', `run-spec ${job.folder}/spec.json`])
    const ended = await workbench.runs.settled(run.id)
    expect(ended.status).toBe('failed')
    expect(ended.error).toMatch(/ended as FAILED/)
    expect(ended.error).toContain(job.log!)
    expect(ended.error).toMatch(new RegExp(`Run ${run.id} on `))
  }, 420_000)

  it('is picked up again by a workbench restarted while its job runs', async () => {
    const run = await start('one-node', { seed: 11 })
    const job = await waitFor('the first epoch', () =>
      (workbench.store.runs.summary(run.id).headline.epochsDone ?? 0) >= 1
        ? cluster(run.id)
        : undefined
    )
    await workbench.close()
    // The job went on without any workbench.
    expect((await jobStatuses([job.jobId!])).get(job.jobId!)?.state).toMatch(
      /RUNNING|COMPLETING|COMPLETED/
    )
    open()
    const ended = await workbench.runs.settled(run.id)
    expect(ended.status).toBe('completed')
    const detail = await client.request('runs/get', { id: run.id })
    expect(detail.metrics['train/loss'].map((p) => p.epoch)).toEqual([0, 1, 2, 3, 4, 5])
    expect(detail.headline.testAccuracy).toBeGreaterThan(0)
  }, 420_000)
})
