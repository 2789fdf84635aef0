/**
 * Slurm's client commands (sbatch, squeue, scontrol, sacct, scancel, sinfo), run as child
 * processes with timeouts. They find their cluster as they do for a person at a shell: through
 * SLURM_CONF (or the system's slurm.conf) in this process's environment.
 */
import { execFile } from 'node:child_process'
import { UserError } from '../platform/userError'
import {
  accountingConfigured,
  isEndedState,
  maxArraySize,
  parseSacct,
  parseSbatchId,
  parseSinfoVersion,
  parseSqueue,
  sacctFormat,
  scontrolStatus,
  squeueFormat,
  statusesFromRows,
  type JobStatus
} from './slurmParse'

export { isEndedState, type JobStatus }

/** Long enough for a busy controller (its own MessageTimeout is 10 s), short enough not to hang. */
const commandTimeoutMs = 30_000

interface Ran {
  code: number
  stdout: string
  stderr: string
}

/** Runs a Slurm command; a missing command or a timeout rejects, a non-zero exit resolves. */
function slurm(command: string, args: string[], cwd?: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: process.env, timeout: commandTimeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { killed?: boolean }) | null
        if (err?.code === 'ENOENT') {
          reject(new UserError(notInstalled(command)))
        } else if (err?.killed) {
          reject(
            new UserError(
              `\`${command} ${args.join(' ')}\` gave no answer within ${commandTimeoutMs / 1000} s: ` +
                `${controllerHint()}`
            )
          )
        } else if (err && typeof err.code !== 'number') {
          reject(err)
        } else {
          resolve({ code: err ? Number(err.code) : 0, stdout, stderr: stderr.trim() })
        }
      }
    )
  })
}

function notInstalled(command: string): string {
  return (
    `Slurm's \`${command}\` is not installed here: install Slurm's client commands ` +
    '(Debian/Ubuntu: `apt-get install slurm-wlm`), or on a cluster login node `module load slurm`.'
  )
}

function controllerHint(): string {
  const conf = process.env.SLURM_CONF
  return (
    `check that SLURM_CONF (${conf ? `now ${conf}` : 'not set: /etc/slurm/slurm.conf is used'}) ` +
    "names your cluster's slurm.conf and that its slurmctld is running (`scontrol ping`)."
  )
}

/**
 * `sbatch --parsable SCRIPT`, with `--array=SPEC` when given; resolves with the job id ('1234').
 * For an array, the tasks are then 'ID_0', 'ID_1', …
 */
export async function submitBatch(
  scriptPath: string,
  options: { array?: string; cwd?: string } = {}
): Promise<string> {
  const args = ['--parsable']
  if (options.array !== undefined) args.push(`--array=${options.array}`)
  args.push(scriptPath)
  const ran = await slurm('sbatch', args, options.cwd)
  const id = ran.code === 0 ? parseSbatchId(ran.stdout) : null
  if (id === null) {
    throw new UserError(
      `Slurm did not take the job ${scriptPath}: ${ran.stderr || ran.stdout.trim() || `sbatch exited with ${ran.code}`}. ` +
        "Check the script's #SBATCH lines (partition, account, time limit, memory, GPUs) against " +
        `what the cluster offers (\`sinfo\`), and ${controllerHint()}`
    )
  }
  return id
}

/** A job id as Slurm prints it ('1234', or a task of an array '1234_5'), never an option. */
function checkJobId(jobId: string): void {
  if (!/^\d+(_\d+)?$/.test(jobId)) {
    throw new UserError(
      `"${jobId}" is not a Slurm job id: expected digits ('1234') or an array task ('1234_5').`,
      'invalid-args'
    )
  }
}

/** How many `scontrol show job` calls run at once for jobs squeue no longer lists. */
const scontrolAtOnce = 4

/** squeue says this when none of the asked ids is known any more; that is no error here. */
const unknownJob = /Invalid job id specified/i

/**
 * States of many jobs: one squeue call for all (array tasks expanded, so '1234_5' matches), then
 * `scontrol show job` for those squeue no longer lists, then sacct for the rest when the cluster
 * keeps accounting. Jobs no source knows are absent from the map.
 */
export async function jobStatuses(jobIds: string[]): Promise<Map<string, JobStatus>> {
  const asked = new Set(jobIds)
  for (const id of asked) checkJobId(id)
  if (asked.size === 0) return new Map()
  const queue = await slurm('squeue', [
    '-h',
    '-r',
    '--states=all',
    '-j',
    [...asked].join(','),
    '-O',
    squeueFormat
  ])
  if (queue.code !== 0 && !unknownJob.test(queue.stderr)) {
    throw new UserError(`squeue failed: ${queue.stderr}; ${controllerHint()}`)
  }
  const found = statusesFromRows(parseSqueue(queue.stdout), asked, 'squeue')

  // Ended jobs leave squeue after MinJobAge; the controller may still hold them a while. One
  // call per job, a few at a time: a poller should stop asking about jobs it saw end.
  const missing = [...asked].filter((id) => !found.has(id))
  for (let i = 0; i < missing.length; i += scontrolAtOnce) {
    const batch = missing.slice(i, i + scontrolAtOnce)
    const shown = await Promise.all(batch.map((id) => slurm('scontrol', ['show', 'job', '-o', id])))
    batch.forEach((jobId, k) => {
      const status = shown[k].code === 0 ? scontrolStatus(shown[k].stdout, jobId) : null
      if (status) found.set(jobId, status)
    })
  }

  // A task of an array that never started and was cancelled (or failed to start) has no record
  // of its own: the array's record, with no task id ('1234'), holds its state.
  const bases = new Set(
    [...asked].filter((id) => !found.has(id) && id.includes('_')).map((id) => id.split('_')[0])
  )
  if (bases.size > 0) {
    const meta = await slurm('squeue', [
      '-h',
      '-r',
      '--states=all',
      '-j',
      [...bases].join(','),
      '-O',
      squeueFormat
    ])
    if (meta.code === 0)
      for (const row of parseSqueue(meta.stdout).filter((r) => bases.has(r.id)))
        for (const jobId of asked)
          if (!found.has(jobId) && jobId.startsWith(`${row.id}_`)) {
            const { state, reason, node, exitCode, signal, restarts } = row
            found.set(jobId, {
              jobId,
              state,
              reason,
              node,
              exitCode,
              signal,
              restarts,
              source: 'squeue'
            })
          }
  }

  const rest = [...asked].filter((id) => !found.has(id))
  if (rest.length > 0 && (await hasAccounting())) {
    const acct = await slurm('sacct', ['-n', '-P', '-X', '-j', rest.join(','), '-o', sacctFormat])
    if (acct.code === 0) {
      for (const [id, status] of statusesFromRows(
        parseSacct(acct.stdout),
        new Set(rest),
        'sacct'
      )) {
        found.set(id, status)
      }
    }
  }
  return found
}

let config: Promise<string> | null = null

/** `scontrol show config`, asked of the controller once ('' when it did not answer). */
function showConfig(): Promise<string> {
  config ??= slurm('scontrol', ['show', 'config']).then(
    (ran) => (ran.code === 0 ? ran.stdout : ''),
    () => ''
  )
  return config
}

/** Whether the cluster keeps job accounting (sacct works). */
async function hasAccounting(): Promise<boolean> {
  return accountingConfigured(await showConfig())
}

/** The most tasks one job array may have: the cluster's MaxArraySize (Slurm's default 1001). */
export async function maxArrayTasks(): Promise<number> {
  return maxArraySize(await showConfig()) ?? 1001
}

/** Slurm's words for cancelling a job that has already ended: the wanted outcome, not an error. */
const alreadyEnded =
  /already completed|already completing|Invalid job id|job has (already )?finished/i

/** `scancel ID`; a job that has already ended is not an error. */
export async function cancelJob(jobId: string): Promise<void> {
  checkJobId(jobId)
  const ran = await slurm('scancel', [jobId])
  if (ran.code !== 0 && !alreadyEnded.test(ran.stderr)) {
    throw new UserError(`Slurm did not cancel job ${jobId}: ${ran.stderr}; ${controllerHint()}`)
  }
}

/**
 * `scontrol requeue ID`: the job is stopped (if running) and queued again. It waits about the
 * cluster's credential lifetime (AuthInfo cred_expire, 120 s by default) before it runs again.
 */
export async function requeueJob(jobId: string): Promise<void> {
  checkJobId(jobId)
  const ran = await slurm('scontrol', ['requeue', jobId])
  if (ran.code !== 0) {
    throw new UserError(
      `Slurm did not requeue job ${jobId}: ${ran.stderr || `scontrol exited with ${ran.code}`}. ` +
        'Only a batch job that is pending, running or has ended (and was not submitted with ' +
        '--no-requeue) can be requeued.'
    )
  }
}

/** Whether Slurm's client commands work here, and if not, what to do about it. */
export async function slurmAvailable(): Promise<
  { ok: true; version: string } | { ok: false; problem: string }
> {
  try {
    const version = await slurm('sinfo', ['--version'])
    const parsed = parseSinfoVersion(version.stdout)
    if (version.code !== 0 || parsed === null) {
      return { ok: false, problem: `\`sinfo --version\` failed: ${version.stderr}` }
    }
    const info = await slurm('sinfo', ['-h'])
    if (info.code !== 0) {
      return {
        ok: false,
        problem: `Slurm ${parsed} is installed but cannot reach its controller (${info.stderr}): ${controllerHint()}`
      }
    }
    return { ok: true, version: parsed }
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) }
  }
}
