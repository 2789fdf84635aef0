/**
 * Reading what Slurm's client commands print: pure functions, tested with captured output. Every
 * format asked of Slurm uses an explicit separator ('|'), so node lists and reasons with spaces or
 * commas never shift a column.
 */
import type { SlurmJobState } from '../../preload/contract'

/** One job's state as one of Slurm's commands said it. */
export interface JobStatus {
  /** As asked: '1234', or an array task '1234_5'. */
  jobId: string
  state: SlurmJobState
  /** Why it waits or why it ended ('Resources', 'PartitionTimeLimit', 'BeginTime', …); null for 'None'. */
  reason: string | null
  /** The node list it runs or ran on. */
  node: string | null
  /** The exit code once ended (A of ExitCode=A:B). */
  exitCode: number | null
  /** The signal that ended it, when one did (B of ExitCode=A:B). */
  signal: number | null
  /** Times it was requeued; 0 when the source does not say. */
  restarts: number
  source: 'squeue' | 'scontrol' | 'sacct'
}

const endedStates = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'NODE_FAIL',
  'OUT_OF_MEMORY',
  'BOOT_FAIL',
  'DEADLINE',
  // A preempted job that is requeued shows PENDING/REQUEUED instead; PREEMPTED itself is final.
  'PREEMPTED'
])

/** Whether a job in this state has ended for good (it will not run again by itself). */
export function isEndedState(state: SlurmJobState): boolean {
  return endedStates.has(normalizeState(state))
}

/**
 * Slurm's state word without decorations: sacct prints 'CANCELLED by 0' and, when a column is
 * too narrow, 'CANCELLED+'; squeue's long names are already plain.
 */
export function normalizeState(raw: string): SlurmJobState {
  const word = raw.trim().split(/\s+/)[0] ?? ''
  return word.replace(/\+$/, '').toUpperCase()
}

/** 'None', '(null)' and empty mean no reason; '(Resources)' is squeue's %R form of 'Resources'. */
export function normalizeReason(raw: string | undefined): string | null {
  if (raw === undefined) return null
  let reason = raw.trim()
  const wrapped = /^\((.*)\)$/.exec(reason)
  if (wrapped) reason = wrapped[1].trim()
  if (reason === '' || reason === 'None' || reason === '(null)' || reason === 'null') return null
  return reason
}

function normalizeNode(raw: string | undefined): string | null {
  const node = (raw ?? '').trim()
  if (node === '' || node === '(null)' || node === 'None assigned' || node === 'N/A') return null
  return node
}

/**
 * The requested format of `squeue -O`: an explicit '|' after each field and no width, so nothing
 * is padded or cut. exit_code is the raw wait status (768 = exit 3), RestartCnt the requeues.
 */
export const squeueFormat = 'JobArrayID:|,State:|,Reason:|,NodeList:|,exit_code:|,RestartCnt:|'

/** One row of `squeue -h -O squeueFormat`, its id possibly an aggregated array ('12_[0-3%2]'). */
export interface SqueueRow {
  id: string
  state: SlurmJobState
  reason: string | null
  node: string | null
  exitCode: number | null
  signal: number | null
  restarts: number
}

export function parseSqueue(stdout: string): SqueueRow[] {
  const rows: SqueueRow[] = []
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue
    const [id, state, reason, node, status, restarts] = line.split('|').map((f) => f.trim())
    if (!id || !state) continue
    const normalized = normalizeState(state)
    const ended = isEndedState(normalized)
    const wait = Number(status)
    // A wait status: the exit code in bits 8-15, the terminating signal in bits 0-6.
    const known = ended && Number.isInteger(wait) && wait >= 0
    rows.push({
      id,
      state: normalized,
      reason: normalizeReason(reason),
      node: normalizeNode(node),
      exitCode: known ? (wait >> 8) & 0xff : null,
      signal: known && (wait & 0x7f) !== 0 ? wait & 0x7f : null,
      restarts: Number.parseInt(restarts ?? '', 10) || 0
    })
  }
  return rows
}

/** 'A:B' (exit code : signal) of scontrol's ExitCode= and sacct's ExitCode column. */
export function parseExitCode(
  raw: string | undefined,
  ended: boolean
): { exitCode: number | null; signal: number | null } {
  const match = /^(\d+):(\d+)$/.exec((raw ?? '').trim())
  if (!ended || !match) return { exitCode: null, signal: null }
  const signal = Number(match[2])
  return { exitCode: Number(match[1]), signal: signal === 0 ? null : signal }
}

/**
 * `scontrol show job -o ID`: one line per job (an array's base id gives one per task) of
 * Key=Value pairs. A value may hold spaces (Command=, WorkDir=), so a pair starts only where a
 * space is followed by a key and '='.
 */
export function parseScontrolJobs(stdout: string): Map<string, string>[] {
  return stdout
    .split('\n')
    .filter((line) => line.includes('JobId='))
    .map((line) => {
      const fields = new Map<string, string>()
      for (const pair of line.trim().split(/ (?=[A-Za-z][A-Za-z0-9_/:]*=)/)) {
        const eq = pair.indexOf('=')
        if (eq > 0) fields.set(pair.slice(0, eq), pair.slice(eq + 1))
      }
      return fields
    })
}

/** The status of asked id JOBID among scontrol's lines, or null when none is that job. */
export function scontrolStatus(stdout: string, jobId: string): JobStatus | null {
  for (const fields of parseScontrolJobs(stdout)) {
    const arrayJob = fields.get('ArrayJobId')
    const task = fields.get('ArrayTaskId')
    // An array task's own JobId is internal (12_1 may be JobId=14): match it by array and task.
    const id = arrayJob && task && /^\d+$/.test(task) ? `${arrayJob}_${task}` : fields.get('JobId')
    if (id !== jobId) continue
    const state = normalizeState(fields.get('JobState') ?? '')
    if (state === '') continue
    return {
      jobId,
      state,
      reason: normalizeReason(fields.get('Reason')),
      node: normalizeNode(fields.get('NodeList')),
      ...parseExitCode(fields.get('ExitCode'), isEndedState(state)),
      restarts: Number.parseInt(fields.get('Restarts') ?? '', 10) || 0,
      source: 'scontrol'
    }
  }
  return null
}

/** The columns asked of `sacct -n -P -X` (-P: '|' between columns, none after the last). */
export const sacctFormat = 'JobID,State,ExitCode,NodeList,Reason'

/** Rows of `sacct -n -P -X -o sacctFormat`; ids may be aggregated pending arrays ('12_[2-3]'). */
export function parseSacct(stdout: string): SqueueRow[] {
  const rows: SqueueRow[] = []
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue
    const [id, rawState, exit, node, reason] = line.split('|').map((f) => f.trim())
    if (!id || !rawState) continue
    const state = normalizeState(rawState)
    rows.push({
      id,
      state,
      reason: normalizeReason(reason),
      node: normalizeNode(node),
      ...parseExitCode(exit, isEndedState(state)),
      restarts: 0
    })
  }
  return rows
}

/**
 * Whether an array-task index is in squeue's or sacct's aggregated index list, e.g. '0-3',
 * '1,4-9:2' (every 2nd), '0-99%4' (at most 4 at once; the limit does not change membership).
 */
export function arrayIndexIn(spec: string, index: number): boolean {
  const list = spec.replace(/%\d+$/, '')
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim())
    if (!m) continue
    const from = Number(m[1])
    const to = m[2] === undefined ? from : Number(m[2])
    const step = m[3] === undefined ? 1 : Number(m[3])
    if (index >= from && index <= to && (index - from) % step === 0) return true
  }
  return false
}

/**
 * Which asked ids a row answers: its own id, or for an aggregated pending array ('12_[0-3]')
 * every asked task of that array in its index list.
 */
export function askedIdsOfRow(rowId: string, asked: ReadonlySet<string>): string[] {
  if (asked.has(rowId)) return [rowId]
  const aggregated = /^(\d+)_\[([^\]]+)\]$/.exec(rowId)
  if (!aggregated) return []
  const [, base, spec] = aggregated
  const hits: string[] = []
  for (const id of asked) {
    const task = /^(\d+)_(\d+)$/.exec(id)
    if (task && task[1] === base && arrayIndexIn(spec, Number(task[2]))) hits.push(id)
  }
  return hits
}

/** Statuses for the asked ids found among ROWS (one entry per asked id). */
export function statusesFromRows(
  rows: SqueueRow[],
  asked: ReadonlySet<string>,
  source: JobStatus['source']
): Map<string, JobStatus> {
  const found = new Map<string, JobStatus>()
  for (const row of rows) {
    for (const jobId of askedIdsOfRow(row.id, asked)) {
      const { state, reason, node, exitCode, signal, restarts } = row
      found.set(jobId, { jobId, state, reason, node, exitCode, signal, restarts, source })
    }
  }
  return found
}

/** 'AccountingStorageType = accounting_storage/none' in `scontrol show config`. */
export function accountingConfigured(showConfig: string): boolean {
  const m = /^AccountingStorageType\s*=\s*(\S+)/m.exec(showConfig)
  return m !== null && m[1] !== 'accounting_storage/none'
}

/**
 * 'MaxArraySize = 1001' in `scontrol show config`: a job array's task indices stop one below it,
 * so an array of tasks 0… holds at most that many. Null when the line is missing.
 */
export function maxArraySize(showConfig: string): number | null {
  const m = /^MaxArraySize\s*=\s*(\d+)/m.exec(showConfig)
  return m ? Number(m[1]) : null
}

/** `sbatch --parsable` prints 'ID' or 'ID;CLUSTER'; null when it printed something else. */
export function parseSbatchId(stdout: string): string | null {
  const id = stdout.trim().split('\n').pop()?.split(';')[0].trim() ?? ''
  return /^\d+$/.test(id) ? id : null
}

/** `sinfo --version` prints 'slurm 23.02.1' or Debian's 'slurm-wlm 22.05.8'. */
export function parseSinfoVersion(stdout: string): string | null {
  const m = /(\d+\.\d+(?:\.\d+)?\S*)/.exec(stdout)
  return m ? m[1] : null
}
