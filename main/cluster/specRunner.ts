/**
 * The compute-node side of a cluster run (`dgmw train --run-spec FILE`): trains the spec with this
 * node's engine, writing checkpoints and samples into the run's folder and every engine message to
 * its `events.jsonl`; never opens the run database. Each attempt (a requeued job starts again)
 * goes on from the folder's last checkpoint.
 *
 * Slurm stops a job with SIGTERM (scancel, `scontrol requeue`, preemption): the run stops after
 * its current step and keeps its last checkpoint. Before the time limit the job script asks for
 * SIGUSR1 (`--signal=B:USR1@S`): the run stops the same way and requeues its own job, which
 * starts again from that checkpoint, so a long run outlives any one time limit.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import { startEngine, type TrainJob } from '../engine/engineHost'
import { codeVersion } from '../platform/appVersion'
import { checkpointFile } from '../platform/runFiles'
import { temporaryOwner } from '../platform/staleTemporaries'
import { UserError } from '../platform/userError'
import { appendEvent } from './runEvents'
import { readRunSpec, versionProblem } from './runSpecFile'
import { requeueJob } from './slurmCommands'

export interface SpecRunOutcome {
  /** Process exit code: 0 completed (or stopped to be requeued), 1 failed, 2 refused. */
  code: number
  status: 'completed' | 'stopped' | 'signalled' | 'failed' | 'refused'
}

/** This job's id as Slurm names it (`1234_5` for a task of an array), when run by Slurm. */
function slurmJobId(): string | null {
  const { SLURM_ARRAY_JOB_ID: array, SLURM_ARRAY_TASK_ID: task, SLURM_JOB_ID: job } = process.env
  if (array && task) return `${array}_${task}`
  return job ?? null
}

/**
 * What an earlier attempt of this job left half-written. Slurm runs one attempt of a job at a
 * time, so every temporary name is a leftover here, whatever the pid it carries (the pid was
 * another node's).
 */
function removeEarlierAttemptTemporaries(folder: string): void {
  for (const dir of [folder, join(folder, 'samples')]) {
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch {
      continue
    }
    for (const name of names)
      if (temporaryOwner(name) !== null) rmSync(join(dir, name), { recursive: true, force: true })
  }
}

export async function runSpec(file: string, log: (line: string) => void): Promise<SpecRunOutcome> {
  const { spec, version, backend, runId } = readRunSpec(file)
  const folder = spec.checkpointDir ?? dirname(file)
  const here = codeVersion()
  appendEvent(folder, {
    type: 'attempt',
    at: new Date().toISOString(),
    node: hostname(),
    jobId: slurmJobId(),
    version: here
  })
  const refused = versionProblem(version, here)
  if (refused) {
    appendEvent(folder, { type: 'failed', message: refused })
    log(refused)
    return { code: 2, status: 'refused' }
  }
  removeEarlierAttemptTemporaries(folder)
  // Every attempt goes on from the folder's checkpoint when there is one (a requeued job).
  const resume = existsSync(checkpointFile(folder))
  log(`Run ${runId} on ${hostname()}${resume ? ', resuming from its last checkpoint' : ''}.`)

  const engine = startEngine({ forced: backend })
  let job: TrainJob | undefined
  let signalled: { signal: string; requeue: boolean } | undefined
  const onSignal = (signal: NodeJS.Signals, requeue: boolean) => () => {
    if (signalled) return
    signalled = { signal, requeue }
    log(`${signal}: stopping after the current step; the last checkpoint stays.`)
    job?.stop()
  }
  const onTerm = onSignal('SIGTERM', false)
  const onUsr1 = onSignal('SIGUSR1', true)
  process.on('SIGTERM', onTerm)
  process.on('SIGUSR1', onUsr1)
  try {
    const status = await engine.ready()
    if (status.state !== 'ready')
      throw new UserError(`No tensor backend could load on ${hostname()}: ${status.error ?? ''}`)
    appendEvent(folder, { type: 'backend', backend: status.active ?? 'unknown' })
    // A signal before the engine was ready: nothing trained, the checkpoint is as it was.
    if (signalled) return await stopped(folder, signalled)
    job = engine.train(
      { ...spec, resume },
      {
        onStart: (start) => appendEvent(folder, { type: 'start', start }),
        onProgress: (progress) => appendEvent(folder, { type: 'progress', progress }),
        onEpoch: (report) => {
          appendEvent(folder, { type: 'epoch', report })
          log(`epoch ${report.epoch + 1}/${spec.config.epochs} ${epochText(report.metrics)}`)
        },
        onSnapshot: (snapshot) => appendEvent(folder, { type: 'snapshot', snapshot }),
        onScores: (scores) => appendEvent(folder, { type: 'scores', scores })
      }
    )
    const result = await job.done
    if (signalled) return await stopped(folder, signalled)
    appendEvent(folder, { type: 'done', result })
    log(`Run ${runId} ${result.status} after ${result.steps} steps.`)
    return { code: 0, status: result.status }
  } catch (error) {
    const failure = error as Error & { deviceLost?: boolean }
    appendEvent(folder, {
      type: 'failed',
      message: failure.message,
      ...(failure.deviceLost ? { deviceLost: true } : {})
    })
    log(`Run ${runId} failed: ${failure.stack ?? failure.message}`)
    return { code: 1, status: 'failed' }
  } finally {
    process.off('SIGTERM', onTerm)
    process.off('SIGUSR1', onUsr1)
    await engine.close()
  }
}

/** Records the stop; near the time limit the job requeues itself to go on from its checkpoint. */
async function stopped(
  folder: string,
  signalled: { signal: string; requeue: boolean }
): Promise<SpecRunOutcome> {
  appendEvent(folder, { type: 'signalled', ...signalled })
  const jobId = process.env.SLURM_JOB_ID
  if (signalled.requeue && jobId) await requeueJob(jobId)
  return { code: 0, status: 'signalled' }
}

const epochText = (metrics: Record<string, number>): string =>
  Object.entries(metrics)
    .filter(([name]) => name.includes('loss') || name.includes('accuracy'))
    .map(([name, value]) => `${name} ${value.toFixed(4)}`)
    .join('  ')
