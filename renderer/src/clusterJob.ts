/** How a run trained as a Slurm job is described next to its status (runs table, run page). */
import type { ClusterJob } from '../../preload/contract'

/** Slurm's end and in-between states, in words (states not listed are shown lower-cased). */
const stateWords: Record<string, string> = {
  CONFIGURING: 'starting on its node',
  COMPLETING: 'finishing',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TIMEOUT: 'timed out',
  PREEMPTED: 'preempted',
  NODE_FAIL: 'node failed',
  OUT_OF_MEMORY: 'out of memory',
  BOOT_FAIL: 'node failed to boot',
  DEADLINE: 'missed its deadline',
  REQUEUED: 'requeued',
  REQUEUE_HOLD: 'requeued, held',
  REQUEUE_FED: 'requeued',
  SUSPENDED: 'suspended',
  STOPPED: 'stopped',
  SUBMITTING: 'submitting',
  RESIZING: 'resizing'
}

/** "Slurm · gpu-a100 · job 1234_0" (no job id until it is submitted). */
export function clusterJobLabel(job: ClusterJob): string {
  return `Slurm · ${job.profile} · ${job.jobId ? `job ${job.jobId}` : 'not submitted yet'}`
}

/**
 * The short form for a narrow table cell, job id first so a cut end loses the least:
 * "job 1234_0 · Slurm · gpu-a100" ("Slurm · gpu-a100" until it is submitted).
 */
export function clusterJobShort(job: ClusterJob): string {
  return job.jobId ? `job ${job.jobId} · Slurm · ${job.profile}` : `Slurm · ${job.profile}`
}

/**
 * Slurm's state in words: "waiting: Resources" while pending, "on node17" while running, then
 * "requeued 2×" when the job went back to the queue and on from its checkpoint. Empty when Slurm
 * has said nothing yet.
 */
export function clusterJobState(job: ClusterJob): string {
  const parts: string[] = []
  const state = job.state?.split(/[\s+]/)[0]
  if (state === 'PENDING') parts.push(job.reason ? `waiting: ${job.reason}` : 'waiting')
  else if (state === 'RUNNING') parts.push(job.node ? `on ${job.node}` : 'running')
  else if (state) {
    const words = stateWords[state] ?? state.toLowerCase().replace(/_/g, ' ')
    parts.push(job.node && state === 'COMPLETING' ? `${words} on ${job.node}` : words)
  }
  if (job.requeues && job.requeues > 0) parts.push(`requeued ${job.requeues}×`)
  return parts.join(' · ')
}

/** The badge's whole text, as a screen reader reads it (label, then state). */
export function clusterJobText(job: ClusterJob): string {
  const state = clusterJobState(job)
  return state ? `${clusterJobLabel(job)} · ${state}` : clusterJobLabel(job)
}
