/**
 * Relays what other processes write to the same data directory — a `dgmw train` in a terminal, a
 * second `dgmw serve` — as the events this process's own runs emit, so the open UI shows their
 * runs appear, progress, end, and their datasets, without a reload.
 *
 * It polls SQLite's `PRAGMA data_version`, which changes exactly when another connection commits:
 * when nobody else writes, a poll is one pragma and emits nothing. When it changed, it reads the
 * new and live runs and the steps, epochs and sample grids recorded since it last looked. The
 * trainer writes its progress (step, ETA) to the run's headline once a second (see runService).
 */
import {
  isLiveStatus,
  type EventName,
  type EventPayload,
  type RunProgress,
  type RunStatus
} from '../../preload/contract'
import type { EventBus } from '../platform/eventBus'
import type { RunState } from '../store/changeQueries'
import { processAlive } from '../platform/staleTemporaries'
import type { RunStore } from '../store/runStore'

export interface OtherProcessWatcherOptions {
  store: RunStore
  bus: EventBus
  /** Milliseconds between polls (default 1000). */
  intervalMs?: number
  /**
   * Milliseconds between checks for runs another process deleted (default 5000): the check counts
   * every run (about 12 ms at 100,000 runs), too much for each poll while a run trains elsewhere.
   */
  deletionCheckMs?: number
  /** Whether a process still exists (tests replace it). */
  alive?: (pid: number) => boolean
  log?: (message: string) => void
}

export interface OtherProcessWatcher {
  /** Looks once for other processes' changes and emits what it finds (the timer calls it). */
  poll(): void
  close(): void
}

/** What was last relayed of another process's live run. */
interface Relayed {
  status: RunStatus
  pid: number | null
  /** Last step whose progress was relayed. */
  step: number
  epochsDone: number
  /** Last sample grid relayed (generative runs). */
  gridStep: number
  /** Names of the per-step series (`loss`, `lr`, a GAN's losses), known from its progress. */
  stepSeries: string[]
  /** The last progress seen: a run that ends between two polls has dropped its own. */
  progress?: RunProgress
}

export function watchOtherProcesses(options: OtherProcessWatcherOptions): OtherProcessWatcher {
  const { store, bus } = options
  const alive = options.alive ?? processAlive
  /** Runs this process trains or trained (its run service announced them): never relayed. */
  const own = new Set<number>()
  const relayed = new Map<number, Relayed>()
  let relaying = false

  let version = store.changes.dataVersion()
  let datasetsPrint = store.changes.datasetsFingerprint()
  let runsPrint = store.changes.runsFingerprint()
  let runsCheckedAt = Date.now()
  let maxSeenId = store.changes.maxRunId()
  // Runs already live when the watcher starts are followed from where they are now.
  for (const run of store.changes.runStates(maxSeenId, []))
    if (run.pid !== process.pid) relayed.set(run.id, followFromNow(run))

  function lastGridStep(runId: number): number {
    return store.generative.listSampleGrids(runId).at(-1)?.step ?? -1
  }

  const emit = <E extends EventName>(name: E, payload: EventPayload<E>): void => {
    relaying = true
    try {
      bus.emit(name, payload)
    } finally {
      relaying = false
    }
  }
  const unsubscribe = bus.on('run/status', ({ runId }) => {
    if (relaying) return
    own.add(runId)
    relayed.delete(runId)
  })

  function isOwn(run: RunState): boolean {
    if (!own.has(run.id)) return false
    if (run.pid === null || run.pid === process.pid) return true
    own.delete(run.id) // another process resumed it
    return false
  }

  function relayProgress(run: RunState, last: Relayed): void {
    const ended = !isLiveStatus(run.status)
    // A run that ended since the last poll has removed its progress from its row, but its last
    // steps are stored: they are relayed (with the last progress seen) so the curve ends whole.
    const progress = run.headline.progress ?? (ended ? last.progress : undefined)
    if (!progress || (!ended && progress.step <= last.step)) return
    last.progress = progress
    last.stepSeries = Object.keys(progress.metrics)
    const upTo = ended ? Number.MAX_SAFE_INTEGER : progress.step - 1
    const steps = new Map<number, { epoch: number; metrics: Record<string, number> }>()
    for (const m of store.changes.metricsAfter(run.id, last.stepSeries, last.step, upTo)) {
      const at = steps.get(m.step) ?? { epoch: m.epoch ?? progress.epoch, metrics: {} }
      at.metrics[m.name] = m.value
      steps.set(m.step, at)
    }
    // Steps between two progress writes keep the loss curve whole; the last carries the ETA.
    const shared = {
      ...progress,
      etaSeconds: ended ? null : (progress.etaSeconds ?? null),
      runId: run.id
    }
    for (const [step, { epoch, metrics }] of steps) {
      emit('train/progress', { ...shared, step, epoch, metrics })
      last.step = step
    }
    if (ended) return
    emit('train/progress', shared)
    last.step = progress.step
  }

  function relayEpochs(run: RunState, last: Relayed): void {
    const done = run.headline.epochsDone ?? 0
    for (let epoch = last.epochsDone; epoch < done; epoch++) {
      const values = store.changes
        .metricsOfEpoch(run.id, epoch)
        .filter((m) => !last.stepSeries.includes(m.name))
      if (values.length === 0) continue
      // The epoch's series are stored at its last step (a snapshot's diversity may sit earlier).
      const step = Math.max(...values.map((m) => m.step))
      const metrics = Object.fromEntries(
        values
          .filter((m) => m.step === step)
          .map((m) => [m.name === 'epoch/lr' ? 'lr' : m.name, m.value])
      )
      emit('train/epoch', { runId: run.id, epoch, step, metrics })
    }
    last.epochsDone = Math.max(last.epochsDone, done)
  }

  function relaySampleGrids(run: RunState, last: Relayed): void {
    const grids = store.generative.listSampleGrids(run.id).filter((g) => g.step > last.gridStep)
    if (grids.length === 0) return
    const diversity = new Map(
      store.changes
        .metricsAfter(run.id, ['samples/diversity'], last.gridStep, Number.MAX_SAFE_INTEGER)
        .map((m) => [m.step, m.value])
    )
    for (const g of grids) {
      const value = diversity.get(g.step)
      if (value !== undefined && value >= 0)
        emit('run/sampleGrid', { runId: run.id, ...g, diversity: value })
      last.gridStep = g.step
    }
  }

  /**
   * A run already under way (live when the watcher started, or resumed elsewhere) is relayed from
   * its current progress on, or from after the last step it recorded: the UI loads its history
   * when it opens the run or sees its status change.
   */
  function followFromNow(run: RunState): Relayed {
    const progress = run.headline.progress
    const step = progress ? progress.step - 1 : store.changes.lastMetricStep(run.id)
    return snapshot(run, step, lastGridStep(run.id))
  }

  /** Emits what changed in other processes' runs; true when any run appeared or changed status. */
  function relayRuns(): boolean {
    let announced = false
    const seenBefore = maxSeenId
    for (const run of store.changes.runStates(maxSeenId, [...relayed.keys()])) {
      maxSeenId = Math.max(maxSeenId, run.id)
      if (isOwn(run)) continue
      const known = relayed.get(run.id)
      // A new run is relayed from its start; an old one resumed elsewhere from where it stands.
      const last =
        known ??
        (run.id > seenBefore ? { ...snapshot(run, -1, -1), epochsDone: 0 } : followFromNow(run))
      const changed = known !== undefined && run.status !== known.status
      const status = {
        runId: run.id,
        status: run.status,
        ...(run.error ? { error: run.error } : {})
      }
      // A run that appears or starts is announced before its progress; one that ends, after it.
      if (!known || (changed && isLiveStatus(run.status))) {
        emit('run/status', status)
        announced = true
      }
      // A run that ended before it was first seen needs only its status (the UI loads the rest).
      if (run.status !== 'queued' && (known || isLiveStatus(run.status))) {
        relayProgress(run, last)
        relayEpochs(run, last)
        relaySampleGrids(run, last)
      }
      if (changed && !isLiveStatus(run.status)) {
        emit('run/status', status)
        announced = true
      }
      last.status = run.status
      last.pid = run.pid
      if (isLiveStatus(run.status)) relayed.set(run.id, last)
      else relayed.delete(run.id)
    }
    return announced
  }

  /** Another process's live run whose process is gone (killed, crashed) ends as interrupted. */
  function markOrphans(): boolean {
    const orphaned = [...relayed.values()].some(
      (r) => isLiveStatus(r.status) && r.pid !== null && r.pid !== process.pid && !alive(r.pid)
    )
    // Our own write: data_version does not count it, so the caller looks regardless.
    if (orphaned) store.runs.markInterrupted(alive)
    return orphaned
  }

  function poll(): void {
    const orphaned = markOrphans()
    const now = store.changes.dataVersion()
    if (now === version && !orphaned) return
    version = now
    const datasets = store.changes.datasetsFingerprint()
    const datasetsChanged = datasets !== datasetsPrint
    datasetsPrint = datasets
    let runsChanged = false
    if (Date.now() - runsCheckedAt >= (options.deletionCheckMs ?? 5000)) {
      const runs = store.changes.runsFingerprint()
      runsChanged = runs !== runsPrint
      runsPrint = runs
      runsCheckedAt = Date.now()
    }
    const announced = relayRuns()
    // Deleted runs and new or renamed datasets have no event of their own: the lists reload.
    if (datasetsChanged || (runsChanged && !announced))
      emit('history/changed', { datasets: datasetsChanged, runs: runsChanged })
  }

  const timer = setInterval(() => {
    try {
      poll()
    } catch (error) {
      options.log?.(`Watching other processes' runs failed: ${(error as Error).message}`)
    }
  }, options.intervalMs ?? 1000)
  timer.unref()

  return {
    poll,
    close() {
      clearInterval(timer)
      unsubscribe()
    }
  }
}

/** Another process's run as relayed up to `step` and `gridStep`: later polls relay what follows. */
function snapshot(run: RunState, step: number, gridStep: number): Relayed {
  return {
    status: run.status,
    pid: run.pid,
    step,
    epochsDone: run.headline.epochsDone ?? 0,
    gridStep,
    stepSeries: Object.keys(run.headline.progress?.metrics ?? { loss: 0, lr: 0 })
  }
}
