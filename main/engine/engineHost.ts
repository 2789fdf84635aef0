/**
 * Starts the engine worker and tracks its status. Lives on the host side (Electron main or the
 * browser-mode server); callers see the status and, later, training messages.
 */
import { availableParallelism } from 'node:os'
import type { BackendName, EngineStatus } from '../../preload/contract'
import { startWorkerThread } from '../platform/workerThread'
import { randomUUID } from 'node:crypto'
import type {
  EpochReport,
  TrainStart,
  EngineCommand,
  EngineMessage,
  EngineWorkerData,
  TrainProgress,
  TrainResult,
  AnyTrainSpec,
  EngineTask,
  SampleSnapshot,
  ScoresCore,
  TaskKind,
  TaskResult
} from './engineMessages'
import { prepareDawnEnvironment } from './dawnEnvironment'

/** A training job running in the engine worker. */
export interface TrainJob {
  jobId: string
  /** Resolves with the result when the job completes or is stopped; rejects when it fails. */
  done: Promise<TrainResult>
  pause(): void
  resume(): void
  stop(): void
}

export interface TrainListeners {
  onStart?: (start: TrainStart) => void
  onProgress?: (progress: TrainProgress) => void
  onEpoch?: (report: EpochReport) => void
  onPaused?: () => void
  onResumed?: () => void
  onSnapshot?: (snapshot: SampleSnapshot) => void
  onScores?: (scores: ScoresCore & { step: number }) => void
}

export interface EngineHost {
  status(): EngineStatus
  /** Resolves once the worker has chosen a backend (or failed). */
  ready(): Promise<EngineStatus>
  train(spec: AnyTrainSpec, listeners?: TrainListeners): TrainJob
  /** A short task on a saved model (samples, scores, export, predict); runs alongside training. */
  task<K extends TaskKind>(task: EngineTask<K> & { kind: K }): Promise<TaskResult<K>>
  /** Whether a training job is running. */
  busy(): boolean
  close(): Promise<void>
}

export interface EngineOptions {
  forced?: BackendName
  /** What forced the backend, reported to the user (default: the flag). */
  forcedBy?: 'flag' | 'setting'
  onStatus?: (status: EngineStatus) => void
}

export function startEngine(options: EngineOptions): EngineHost {
  const forcedBy = options.forced ? (options.forcedBy ?? 'flag') : undefined
  let current: EngineStatus = {
    state: 'starting',
    forced: options.forced,
    forcedBy,
    rungs: [],
    threads: availableParallelism()
  }
  prepareDawnEnvironment()
  const worker = startWorkerThread('engineWorker', __dirname, {
    forced: options.forced,
    // Part of the name of the GPU adapter to use (`--gpu` sets it); else high-performance.
    gpuName: process.env.DGMW_GPU || undefined
  } satisfies EngineWorkerData)
  let closing = false
  let closed: Promise<void> | undefined
  let workerExited = false
  let settle!: (s: EngineStatus) => void
  const settled = new Promise<EngineStatus>((resolve) => (settle = resolve))

  const update = (status: EngineStatus): void => {
    current = { ...status, forcedBy }
    options.onStatus?.(current)
    if (status.state !== 'starting') settle(current)
  }
  const jobs = new Map<
    string,
    TrainListeners & { resolve(r: TrainResult): void; reject(e: Error): void }
  >()
  // Results stay untyped on the wire; task() gives each caller its kind's result type.
  const tasks = new Map<string, { resolve(r: unknown): void; reject(e: Error): void }>()
  const send = (command: EngineCommand): void => worker.postMessage(command)
  worker.on('message', (message: EngineMessage) => {
    try {
      dispatch(message)
    } catch (error) {
      listenerFailed(message, error as Error)
    }
  })
  /**
   * A listener that throws (the store could not record a message) fails its job, not the
   * process: an uncaught error here would end every run this process trains or has queued.
   */
  const listenerFailed = (message: EngineMessage, error: Error): void => {
    const jobId = jobIdOf(message)
    console.error(`Recording an engine message (${message.type}) failed:`, error)
    const job = jobId === undefined ? undefined : jobs.get(jobId)
    if (!job || jobId === undefined) return
    // The worker stops after its current step and keeps its last checkpoint (the run resumes
    // from it); the job fails when the worker has let go of it, so no next job finds it busy.
    const failure = new Error(`The run stopped: recording its progress failed: ${error.message}`, {
      cause: error
    })
    jobs.set(jobId, { resolve: () => job.reject(failure), reject: () => job.reject(failure) })
    send({ type: 'stop', jobId })
  }
  const dispatch = (message: EngineMessage): void => {
    switch (message.type) {
      case 'status':
        return update(message.status)
      case 'start':
        return jobs.get(message.start.jobId)?.onStart?.(message.start)
      case 'progress':
        return jobs.get(message.progress.jobId)?.onProgress?.(message.progress)
      case 'epoch':
        return jobs.get(message.report.jobId)?.onEpoch?.(message.report)
      case 'snapshot':
        return jobs.get(message.snapshot.jobId)?.onSnapshot?.(message.snapshot)
      case 'scores':
        return jobs.get(message.jobId)?.onScores?.(message.scores)
      case 'taskDone':
        tasks.get(message.jobId)?.resolve(message.result)
        tasks.delete(message.jobId)
        return
      case 'paused':
        return jobs.get(message.jobId)?.onPaused?.()
      case 'resumed':
        return jobs.get(message.jobId)?.onResumed?.()
      case 'done':
        jobs.get(message.result.jobId)?.resolve(message.result)
        jobs.delete(message.result.jobId)
        return
      case 'failed':
        jobs
          .get(message.jobId)
          ?.reject(Object.assign(new Error(message.error), { deviceLost: message.deviceLost }))
        jobs.delete(message.jobId)
        tasks.get(message.jobId)?.reject(new Error(message.error))
        tasks.delete(message.jobId)
    }
  }
  // A dead worker fails every job it held, so no caller waits forever.
  const failJobs = (message: string): void => {
    for (const job of [...jobs.values(), ...tasks.values()]) job.reject(new Error(message))
    jobs.clear()
    tasks.clear()
  }
  worker.on('error', (error) => {
    update({ ...current, state: 'failed', error: `The engine worker crashed: ${error.message}` })
    failJobs(`The engine worker crashed: ${error.message}`)
  })
  worker.on('exit', (code) => {
    workerExited = true
    failJobs(
      closing
        ? 'The engine was shut down during the job.'
        : `The engine worker exited (code ${code}).`
    )
    if (!closing)
      update({
        ...current,
        state: 'failed',
        error: `The engine worker exited (code ${code}). Restart the app.`
      })
  })

  return {
    status: () => current,
    ready: () => settled,
    busy: () => jobs.size > 0,
    train(spec, listeners = {}) {
      const jobId = randomUUID()
      const done = new Promise<TrainResult>((resolve, reject) =>
        jobs.set(jobId, { ...listeners, resolve, reject })
      )
      send({ type: 'train', jobId, spec })
      return {
        jobId,
        done,
        pause: () => send({ type: 'pause', jobId }),
        resume: () => send({ type: 'resume', jobId }),
        stop: () => send({ type: 'stop', jobId })
      }
    },
    task<K extends TaskKind>(task: EngineTask<K> & { kind: K }) {
      const jobId = randomUUID()
      const done = new Promise<TaskResult<K>>((resolve, reject) =>
        tasks.set(jobId, { resolve: (r) => resolve(r as TaskResult<K>), reject })
      )
      send({ type: 'task', jobId, task })
      return done
    },
    close() {
      // Idempotent: a second close must not wait for an 'exit' that already happened (nothing
      // would keep Node alive, and the caller's promise would silently never settle).
      closed ??= (async () => {
        closing = true
        if (workerExited) return
        const exited = new Promise((resolve) => worker.once('exit', resolve))
        send({ type: 'shutdown' })
        // A worker busy in a long kernel gets a moment to finish, then is terminated.
        const timer = setTimeout(() => void worker.terminate(), 2000)
        await exited
        clearTimeout(timer)
      })()
      return closed
    }
  }
}

/** The job a worker message is about, if any. */
function jobIdOf(message: EngineMessage): string | undefined {
  switch (message.type) {
    case 'start':
      return message.start.jobId
    case 'progress':
      return message.progress.jobId
    case 'epoch':
      return message.report.jobId
    case 'snapshot':
      return message.snapshot.jobId
    case 'done':
      return message.result.jobId
    case 'status':
      return undefined
    default:
      return message.jobId
  }
}
