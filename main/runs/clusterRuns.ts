/**
 * The run service's cluster side: queued runs placed on a Slurm profile are submitted together
 * (one job array per profile and batch) as soon as nothing they learn from is still training,
 * and recorded through the same listeners as a local run, plus Slurm's view of the job (state,
 * pending reason, node). Jobs outlive the workbench: at open, and every little while, the live
 * cluster runs no living process follows are adopted and followed from where recording stopped.
 */
import {
  isLiveStatus,
  type ClusterJob,
  type RunSummary,
  type SlurmProfile
} from '../../preload/contract'
import type { SlurmExecutor, ClusterListeners } from '../cluster/slurmExecutor'
import { clusterProfiles } from '../cluster/profiles'
import { remoteRunDir } from '../cluster/sharedFolder'
import { cancelJob } from '../cluster/slurmCommands'
import type { TrainJob, TrainListeners } from '../engine/engineHost'
import type { AnyTrainSpec } from '../engine/engineMessages'
import type { EventBus } from '../platform/eventBus'
import { processAlive } from '../platform/staleTemporaries'
import type { RunStore } from '../store/runStore'
import type { BusyTolerantWriter } from './busyTolerantWriter'
import type { QueueItem } from './queueItem'

export interface ClusterSetup {
  profiles: ReturnType<typeof clusterProfiles>
  executor: SlurmExecutor
}

/** What the cluster side uses of the run service. */
export interface RunServiceParts {
  store: RunStore
  bus: EventBus
  writes: BusyTolerantWriter
  queue: QueueItem[]
  setStatus(
    runId: number,
    status: RunSummary['status'],
    error?: string | null,
    backend?: string | null
  ): void
  specOf(runId: number, item: QueueItem): AnyTrainSpec
  trainListeners(runId: number, spec: AnyTrainSpec): TrainListeners
  settleJob(item: QueueItem, spec: AnyTrainSpec, job: TrainJob): Promise<void>
  fail(item: QueueItem, error: Error): Promise<void>
  pump(): void
  closing(): boolean
}

/** Slurm states in which the job waits for its turn (again, after a requeue). */
const waitingStates = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'SUSPENDED'])
const runningStates = new Set(['RUNNING', 'CONFIGURING', 'COMPLETING'])

export function createClusterRuns(setup: ClusterSetup, parts: RunServiceParts) {
  const { store, bus, writes, queue } = parts
  const { executor, profiles } = setup
  let scheduled = false

  /** A run that learns from another run's result waits until that run has ended. */
  function waitsOnLiveRun(item: QueueItem): boolean {
    const config = store.runs.get(item.runId).config as { generatorRunId?: number }
    if (config.generatorRunId === undefined) return false
    try {
      return isLiveStatus(store.runs.summary(config.generatorRunId).status)
    } catch {
      return false // Deleted: specOf says why the run cannot start.
    }
  }

  /** Submits every ready cluster run, one job array per profile. */
  function submitReady(): void {
    scheduled = false
    if (parts.closing()) return
    const ready = queue.filter((q) => q.runOn && q.kind === 'train' && !waitsOnLiveRun(q))
    for (const item of ready) queue.splice(queue.indexOf(item), 1)
    const byProfile = new Map<string, QueueItem[]>()
    for (const item of ready)
      byProfile.set(item.runOn!, [...(byProfile.get(item.runOn!) ?? []), item])
    for (const [name, items] of byProfile) {
      let profile: SlurmProfile
      try {
        profile = profiles.get(name)
      } catch (error) {
        for (const item of items) void parts.fail(item, error as Error)
        continue
      }
      const prepared: { item: QueueItem; spec: AnyTrainSpec }[] = []
      for (const item of items) {
        try {
          prepared.push({ item, spec: parts.specOf(item.runId, item) })
        } catch (error) {
          void parts.fail(item, error as Error)
        }
      }
      if (prepared.length === 0) continue
      const jobs = executor.submit(
        profile,
        prepared.map(({ item, spec }) => ({
          runId: item.runId,
          spec,
          listeners: listeners(item.runId, spec),
          earlier: item.resume ? store.runs.summary(item.runId).headline.cluster : undefined
        })),
        `dgmw-${prepared[0].item.runId}${prepared.length > 1 ? `-${prepared.length}runs` : ''}`
      )
      jobs.forEach((job, k) =>
        parts.settleJob(prepared[k].item, prepared[k].spec, job).finally(() => parts.pump())
      )
    }
  }

  /** The run service's listeners, plus Slurm's view of the job and the node's backend. */
  function listeners(runId: number, spec: AnyTrainSpec): ClusterListeners {
    return {
      ...parts.trainListeners(runId, spec),
      onCluster: (job) => writes.write(() => recordJob(runId, job)),
      onBackend: (backend) => writes.write(() => parts.setStatus(runId, 'running', null, backend))
    }
  }

  /** The job's state on the run: queued while Slurm holds it back, running while it runs. */
  function recordJob(runId: number, job: ClusterJob): void {
    // A merge patch drops what is null: a reason Slurm no longer gives must not linger.
    store.runs.updateHeadline(runId, {
      cluster: { reason: null, node: null, ...job } as unknown as ClusterJob
    })
    const { status } = store.runs.summary(runId)
    if (job.state && runningStates.has(job.state) && status === 'queued')
      parts.setStatus(runId, 'running')
    else if (job.state && waitingStates.has(job.state) && status === 'running')
      parts.setStatus(runId, 'queued')
    else bus.emit('run/status', { runId, status })
  }

  /**
   * Follows live cluster runs whose follower is gone (the workbench was closed, the CLI that
   * submitted them was killed): one conditional write claims each, so two workbenches opening at
   * once do not both record it.
   */
  function adopt(): number {
    let adopted = 0
    for (const run of store.runs.liveClusterRuns()) {
      if (executor.follows(run.id)) continue
      if (run.pid !== null && run.pid !== process.pid && processAlive(run.pid)) continue
      if (!store.runs.claim(run.id, run.pid)) continue
      const job = run.headline.cluster!
      const item: QueueItem = { runId: run.id, kind: 'train', resume: true, runOn: job.profile }
      let spec: AnyTrainSpec
      try {
        spec = parts.specOf(run.id, item)
      } catch (error) {
        void parts.fail(item, error as Error)
        continue
      }
      const handle = executor.attach(run.id, job, listeners(run.id, spec))
      void parts.settleJob(item, spec, handle).finally(() => parts.pump())
      adopted += 1
    }
    return adopted
  }

  return {
    /** Submits the ready cluster runs once the current burst of starts is queued. */
    schedule(): void {
      if (scheduled) return
      scheduled = true
      setImmediate(submitReady)
    },
    profile: (name: string): SlurmProfile => profiles.get(name),
    /** Records where a new run will train, before it is queued. */
    place(runId: number, name: string): void {
      const profile = profiles.get(name)
      const folder = remoteRunDir(profile.sharedFolder, profiles.workbenchId(), runId)
      store.runs.updateHeadline(runId, { cluster: { executor: 'slurm', profile: name, folder } })
    },
    follows: (runId: number): boolean => executor.follows(runId),
    stop: (runId: number): void => executor.stop(runId),
    cancel: (jobId: string): Promise<void> => cancelJob(jobId),
    adopt,
    close: (): void => executor.close()
  }
}
