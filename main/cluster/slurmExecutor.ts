/**
 * Runs as Slurm jobs, seen from the workbench: submits them (a job array per batch), follows
 * Slurm's state with one `squeue` call per poll for all of them, reads each run's metrics stream
 * from the shared folder and hands every record to the same listeners a local engine job has, so
 * the run service records a cluster run exactly as it records a local one. Checkpoints and sample
 * grids are copied into the run's local folder as they arrive (export, sample and evaluate read
 * them there). The jobs belong to the cluster: closing the workbench leaves them running, and a
 * workbench that opens later attaches to them again, going on from the bytes already recorded.
 */
import { randomBytes } from 'node:crypto'
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  statSync
} from 'node:fs'
import { fstatSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import type { ClusterJob, SlurmProfile } from '../../preload/contract'
import type { TrainJob, TrainListeners } from '../engine/engineHost'
import type { AnyTrainSpec, TrainResult } from '../engine/engineMessages'
import { codeVersion } from '../platform/appVersion'
import { writeFileAtomic } from '../platform/atomicWrite'
import { bestCheckpointFile, checkpointFile, pseudoLabelsFile, runDir } from '../platform/runFiles'
import { eventReader, type RunEvent } from './runEvents'
import { jobScript } from './jobScript'
import { defaultLaunch } from './profiles'
import { stageSpec, writeRunSpec } from './runSpecFile'
import { batchDir, checkSharedFolder, remoteRunDir, taskLog } from './sharedFolder'
import {
  cancelJob,
  isEndedState,
  jobStatuses,
  maxArrayTasks,
  submitBatch,
  type JobStatus
} from './slurmCommands'

export interface ClusterListeners extends TrainListeners {
  /** Slurm's view of the job changed (state, reason, node) or more of its stream was recorded. */
  onCluster(job: ClusterJob): void
  /** The backend the node's engine chose. */
  onBackend?(backend: string): void
}

/** How a cluster job ended without a result: the run's status, and why in words. */
export class ClusterJobEnded extends Error {
  constructor(
    message: string,
    readonly runStatus: 'stopped' | 'failed' | 'interrupted'
  ) {
    super(message)
  }
}

export interface ClusterSubmission {
  runId: number
  spec: AnyTrainSpec
  listeners: ClusterListeners
  /** The job the run had before (a resumed run): its folder and what was recorded of it. */
  earlier?: ClusterJob
}

export interface SlurmExecutorOptions {
  dataDir: string
  workbenchId: () => string
  /** Milliseconds between polls (DGMW_CLUSTER_POLL_MS; default 2 s). */
  pollMs?: number
  log?: (message: string) => void
  /** Tasks per job array at most (default: the cluster's MaxArraySize); more runs, more arrays. */
  maxArrayTasks?: number
  /** Told what each poll cost (docs/cluster-scale.md measures it); nothing is kept otherwise. */
  onPoll?: (poll: PollCost) => void
}

/** One poll: the jobs it followed, and how long Slurm's answer and reading the streams took. */
export interface PollCost {
  followed: number
  /** Milliseconds for jobStatuses (squeue, and scontrol/sacct for jobs squeue no longer lists). */
  statusMs: number
  /** Milliseconds for reading every followed run's new records and handing them on. */
  followMs: number
  /** Records read from the streams in this poll. */
  records: number
  /** Files (checkpoints, sample grids) copied from the shared folder, and their bytes. */
  copies: number
  copiedBytes: number
}

interface Watched {
  runId: number
  job: ClusterJob
  listeners: ClusterListeners
  reader: ReturnType<typeof eventReader>
  resolve(result: TrainResult): void
  reject(error: Error): void
  cancelRequested: boolean
  attempts: number
  failure?: string
  /** Polls in a row no Slurm command knew the job. */
  unknownPolls: number
  /** The stream offset last told to the listeners (with the job's state). */
  reported: number
  handle: TrainJob
}

export type SlurmExecutor = ReturnType<typeof createSlurmExecutor>

/** Milliseconds of a poll's synchronous work after which it lets the event loop run. */
const yieldAfterMs = 50

export function createSlurmExecutor(options: SlurmExecutorOptions) {
  const { dataDir } = options
  const pollMs = options.pollMs ?? (Number(process.env.DGMW_CLUSTER_POLL_MS) || 2000)
  const watched = new Map<number, Watched>()
  let timer: NodeJS.Timeout | undefined
  let polling = false
  let pollFailure: string | undefined
  let closed = false
  /** What this poll copied home (for onPoll). */
  let copied = { copies: 0, copiedBytes: 0 }

  const schedule = (): void => {
    if (!timer && !closed && watched.size > 0) timer = setTimeout(poll, pollMs)
  }

  /** A job handle for the run service; `stop` is scancel (the job keeps its checkpoint). */
  function handle(runId: number, done: Promise<TrainResult>): TrainJob {
    return {
      jobId: `slurm-${runId}`,
      done,
      pause() {
        throw new Error('A cluster job cannot pause; stop it (scancel) and resume it later.')
      },
      resume() {},
      stop() {
        const w = watched.get(runId)
        if (!w) return
        w.cancelRequested = true
        if (w.job.jobId)
          cancelJob(w.job.jobId).catch((error: Error) =>
            options.log?.(`scancel ${w.job.jobId} failed: ${error.message}`)
          )
      }
    }
  }

  function watch(runId: number, job: ClusterJob, listeners: ClusterListeners): Watched {
    let resolve!: (r: TrainResult) => void
    let reject!: (e: Error) => void
    const done = new Promise<TrainResult>((res, rej) => ((resolve = res), (reject = rej)))
    const w: Watched = {
      runId,
      job,
      listeners,
      reader: eventReader(job.folder, job.ingested ?? 0),
      resolve,
      reject,
      cancelRequested: false,
      // Attempts seen in the stream: a re-attached job has had at least the one recorded.
      attempts: job.jobId && job.ingested ? (job.requeues ?? 0) + 1 : 0,
      unknownPolls: 0,
      reported: job.ingested ?? 0,
      handle: handle(runId, done)
    }
    watched.set(runId, w)
    schedule()
    return w
  }

  /**
   * Submits runs of one profile as one job array. Each run's folder gets its spec (inputs staged
   * into the shared folder once by content); a resumed run keeps its folder and checkpoint.
   */
  function submit(profile: SlurmProfile, runs: ClusterSubmission[], name: string): TrainJob[] {
    const entries = runs.map((run) => {
      const folder =
        run.earlier?.folder ?? remoteRunDir(profile.sharedFolder, options.workbenchId(), run.runId)
      const job: ClusterJob = {
        executor: 'slurm',
        profile: profile.name,
        folder,
        ingested: run.earlier?.ingested ?? 0,
        requeues: 0
      }
      return { run, watched: watch(run.runId, job, run.listeners) }
    })
    void submitArrays(profile, entries, name)
    return entries.map((e) => e.watched.handle)
  }

  /**
   * sbatch refuses an array with more tasks than the cluster's MaxArraySize (1001 by default):
   * a bigger batch goes as several arrays, each failing alone if Slurm refuses it.
   */
  async function submitArrays(
    profile: SlurmProfile,
    entries: { run: ClusterSubmission; watched: Watched }[],
    name: string
  ): Promise<void> {
    const size = options.maxArrayTasks ?? (await maxArrayTasks())
    for (let i = 0; i < entries.length; i += size) {
      const part = entries.slice(i, i + size)
      await submitArray(profile, part, name).catch((error: Error) => {
        for (const { watched: w } of part) end(w, () => w.reject(error))
      })
    }
  }

  async function submitArray(
    profile: SlurmProfile,
    entries: { run: ClusterSubmission; watched: Watched }[],
    name: string
  ): Promise<void> {
    checkSharedFolder(profile.sharedFolder, profile.name)
    for (const { run, watched: w } of entries) {
      mkdirSync(w.job.folder, { recursive: true })
      copyLocalCheckpoint(run.runId, w.job.folder)
      writeRunSpec(w.job.folder, {
        runId: run.runId,
        version: codeVersion(),
        ...(profile.backend ? { backend: profile.backend } : {}),
        spec: await stageSpec(run.spec, profile.sharedFolder, w.job.folder)
      })
    }
    const batch = batchDir(
      profile.sharedFolder,
      options.workbenchId(),
      `${Date.now()}-${randomBytes(3).toString('hex')}`
    )
    mkdirSync(join(batch, 'logs'), { recursive: true })
    writeFileAtomic(
      join(batch, 'runs.txt'),
      entries.map((e) => e.watched.job.folder).join('\n') + '\n'
    )
    const script = join(batch, 'job.sh')
    writeFileAtomic(
      script,
      jobScript({ profile, batch, launch: profile.launch ?? defaultLaunch(), name }),
      { mode: 0o755 }
    )
    const arrayId = await submitBatch(script, { array: `0-${entries.length - 1}`, cwd: batch })
    entries.forEach(({ watched: w }, task) => {
      w.job = {
        ...w.job,
        jobId: `${arrayId}_${task}`,
        state: 'PENDING',
        log: taskLog(batch, task, 'err')
      }
      w.listeners.onCluster(w.job)
      // Stopped while it was being submitted: cancelled now that it has an id.
      if (w.cancelRequested) w.handle.stop()
    })
  }

  /** A run trained here before (then stopped) goes on from its local checkpoint on the cluster. */
  function copyLocalCheckpoint(runId: number, folder: string): void {
    const local = runDir(dataDir, runId)
    if (existsSync(checkpointFile(folder)) || !existsSync(checkpointFile(local))) return
    for (const file of [checkpointFile, bestCheckpointFile, pseudoLabelsFile])
      if (existsSync(file(local))) copyFileSync(file(local), file(folder))
  }

  /** Attaches to a job submitted earlier (by this workbench before a restart, or by another). */
  function attach(runId: number, job: ClusterJob, listeners: ClusterListeners): TrainJob {
    return watch(runId, job, listeners).handle
  }

  function end(w: Watched, settle: () => void): void {
    watched.delete(w.runId)
    settle()
  }

  async function poll(): Promise<void> {
    timer = undefined
    if (polling || closed) return
    polling = true
    try {
      const submitted = [...watched.values()].filter((w) => w.job.jobId)
      const asked = performance.now()
      const statuses = submitted.length
        ? await jobStatuses(submitted.map((w) => w.job.jobId!))
        : new Map<string, JobStatus>()
      const answered = performance.now()
      let records = 0
      copied = { copies: 0, copiedBytes: 0 }
      let blockedSince = performance.now()
      for (const w of submitted) {
        if (closed) break
        try {
          records += follow(w, statuses.get(w.job.jobId!))
        } catch (error) {
          end(w, () => w.reject(error as Error))
        }
        // Many runs ending between two polls mean seconds of reading, recording and copying:
        // requests (the UI's) are served between runs, never after more than ~50 ms of it.
        if (performance.now() - blockedSince > yieldAfterMs) {
          await new Promise((resolve) => setImmediate(resolve))
          blockedSince = performance.now()
        }
      }
      pollFailure = undefined
      options.onPoll?.({
        followed: submitted.length,
        statusMs: answered - asked,
        followMs: performance.now() - answered,
        records,
        ...copied
      })
    } catch (error) {
      // Slurm did not answer this time (controller restarting): asked again at the next poll,
      // and said once, not every two seconds.
      const message = (error as Error).message
      if (message !== pollFailure) options.log?.(`Polling Slurm failed: ${message}`)
      pollFailure = message
    } finally {
      polling = false
      schedule()
    }
  }

  /**
   * Records what the job appended and what Slurm says; settles the run when it ended. Returns
   * how many records it read.
   */
  function follow(w: Watched, status: JobStatus | undefined): number {
    const read = w.reader.next()
    // Nothing after `done` is handled: the run is settled there.
    const done = read.findIndex((event) => event.type === 'done')
    const events = done < 0 ? read : read.slice(0, done + 1)
    // The engine rewrites one checkpoint file each epoch: of the records read together that
    // carry it, only the last copies it home. The earlier copies would be overwritten within
    // this poll before anything read them (a run that catches up copied it once per epoch).
    const lastCarrying = new Map<string, number>()
    events.forEach((event, k) => {
      const checkpoint = checkpointOf(event)
      if (checkpoint) lastCarrying.set(checkpoint, k)
    })
    for (const [k, event] of events.entries()) {
      const checkpoint = checkpointOf(event)
      if (handleEvent(w, event, !checkpoint || lastCarrying.get(checkpoint) === k))
        return events.length
    }
    const changed =
      status &&
      (status.state !== w.job.state ||
        (status.reason ?? undefined) !== w.job.reason ||
        (status.node ?? undefined) !== w.job.node)
    w.job = {
      ...w.job,
      ...(status
        ? {
            state: status.state,
            reason: status.reason ?? undefined,
            node: status.node ?? w.job.node,
            requeues: Math.max(w.job.requeues ?? 0, status.restarts)
          }
        : {}),
      ingested: w.reader.offset()
    }
    if (changed || w.reader.offset() !== w.reported) {
      w.reported = w.reader.offset()
      w.listeners.onCluster(w.job)
    }
    if (!status) {
      // Slurm forgets an ended job after a while (MinJobAge); one it never knew is lost.
      if (++w.unknownPolls >= 3)
        end(w, () =>
          w.reject(
            new ClusterJobEnded(
              `Slurm no longer knows job ${w.job.jobId} and it left no result. ${stderrTail(w.job)}` +
                'Resume the run to submit it again from its last checkpoint.',
              'interrupted'
            )
          )
        )
      return events.length
    }
    w.unknownPolls = 0
    if (isEndedState(status.state)) end(w, () => w.reject(endedWithout(w, status)))
    return events.length
  }

  /**
   * Handles one record of the stream; true when the run is settled by it. `copyCheckpoint`
   * false: a later record read in this poll copies the same checkpoint file home.
   */
  function handleEvent(w: Watched, event: RunEvent, copyCheckpoint: boolean): boolean {
    const l = w.listeners
    switch (event.type) {
      case 'attempt':
        w.attempts += 1
        w.failure = undefined
        w.job = {
          ...w.job,
          node: event.node,
          requeues: Math.max(w.job.requeues ?? 0, w.attempts - 1)
        }
        return false
      case 'backend':
        l.onBackend?.(event.backend)
        return false
      case 'start':
        l.onStart?.(event.start)
        return false
      case 'progress':
        l.onProgress?.(event.progress)
        return false
      case 'epoch': {
        const report = event.report
        const checkpoint = report.checkpoint && {
          ...report.checkpoint,
          path: copyCheckpoint
            ? copyHome(w, report.checkpoint.path)
            : localPath(w, report.checkpoint.path)
        }
        l.onEpoch?.({ ...report, ...(checkpoint ? { checkpoint } : {}) })
        return false
      }
      case 'snapshot':
        l.onSnapshot?.({ ...event.snapshot, path: copyHome(w, event.snapshot.path) })
        return false
      case 'scores':
        l.onScores?.(event.scores)
        return false
      case 'failed':
        w.failure = event.message
        return false
      case 'signalled':
        return false
      case 'done': {
        const result = event.result
        for (const file of [bestCheckpointFile, pseudoLabelsFile])
          if (existsSync(file(w.job.folder))) copyHome(w, file(w.job.folder))
        const checkpoint = result.checkpoint && {
          ...result.checkpoint,
          path: copyCheckpoint
            ? copyHome(w, result.checkpoint.path)
            : localPath(w, result.checkpoint.path)
        }
        w.job = { ...w.job, ingested: w.reader.offset(), state: 'COMPLETED', reason: undefined }
        l.onCluster(w.job)
        end(w, () => w.resolve({ ...result, ...(checkpoint ? { checkpoint } : {}) }))
        return true
      }
    }
  }

  /** Copies a file of the run's shared folder to the same place in its local folder. */
  function copyHome(w: Watched, remote: string): string {
    const local = localPath(w, remote)
    mkdirSync(dirname(local), { recursive: true })
    const temp = `${local}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
    copyFileSync(remote, temp)
    copied.copies += 1
    copied.copiedBytes += statSync(temp).size
    renameSync(temp, local)
    return local
  }

  /** Where a file of the run's shared folder lives in its local folder. */
  const localPath = (w: Watched, remote: string): string =>
    join(runDir(dataDir, w.runId), relative(w.job.folder, remote))

  function endedWithout(w: Watched, status: JobStatus): ClusterJobEnded {
    const id = w.job.jobId
    const resume = 'Resume the run to submit it again from its last checkpoint.'
    switch (status.state) {
      case 'CANCELLED':
        return new ClusterJobEnded(
          w.cancelRequested
            ? `Cancelled (scancel ${id}); its last checkpoint is kept. ${resume}`
            : `Job ${id} was cancelled in Slurm (scancel, or by the cluster). ${resume}`,
          'stopped'
        )
      case 'TIMEOUT':
      case 'DEADLINE':
        return new ClusterJobEnded(
          `Job ${id} hit its time limit before it could requeue itself. ${resume} A longer time ` +
            'limit, or an earlier signal (--signal-seconds), gives it time to.',
          'interrupted'
        )
      case 'PREEMPTED':
      case 'NODE_FAIL':
      case 'BOOT_FAIL':
        return new ClusterJobEnded(
          `Job ${id} ended as ${status.state} on ${status.node ?? 'its node'}. ${resume}`,
          'interrupted'
        )
      case 'OUT_OF_MEMORY':
        return new ClusterJobEnded(
          `Job ${id} ran out of memory on ${status.node ?? 'its node'}: give the profile more ` +
            `(--memory) or the run a smaller batch. ${stderrTail(w.job)}`,
          'failed'
        )
      default: {
        const how =
          w.failure ??
          `Job ${id} ended as ${status.state}` +
            (status.exitCode !== null ? ` with exit code ${status.exitCode}` : '') +
            (status.signal ? ` (signal ${status.signal})` : '') +
            ` on ${status.node ?? 'its node'}, without a result.`
        return new ClusterJobEnded(`${how} ${stderrTail(w.job)}`.trim(), 'failed')
      }
    }
  }

  return {
    submit,
    attach,
    /** Whether this workbench follows the run's job. */
    follows: (runId: number): boolean => watched.has(runId),
    stop: (runId: number): void => {
      const w = watched.get(runId)
      if (w) w.handle.stop()
    },
    /** Stops following; the jobs go on in Slurm and a later workbench attaches to them. */
    close(): void {
      closed = true
      if (timer) clearTimeout(timer)
      watched.clear()
    }
  }
}

/** The last lines of the job's error log, quoted for a run's error message. */
export function stderrTail(job: ClusterJob, lines = 12): string {
  if (!job.log) return ''
  let fd: number | undefined
  try {
    fd = openSync(job.log, 'r')
    const size = fstatSync(fd).size
    const length = Math.min(size, 8192)
    const buffer = Buffer.alloc(length)
    readSync(fd, buffer, 0, length, size - length)
    const tail = buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n')
    return tail
      ? `\nIts error log (${job.log}) ends:\n${tail}\n`
      : `\nIts error log (${job.log}) is empty.\n`
  } catch {
    return `\nIts error log (${job.log}) could not be read.\n`
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** The checkpoint file a record of the stream carries, if any. */
function checkpointOf(event: RunEvent): string | undefined {
  if (event.type === 'epoch') return event.report.checkpoint?.path
  if (event.type === 'done') return event.result.checkpoint?.path
  return undefined
}
