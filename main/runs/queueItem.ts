/** What the run service queues: a run to train (here, or as a cluster job) or to evaluate. */
import type { Evaluation } from '../../preload/contract'

export interface QueueItem {
  runId: number
  kind: 'train' | 'evaluate'
  resume: boolean
  /** A Slurm profile's name: the run trains as a job there, not in this machine's queue. */
  runOn?: string
  settle?: { resolve(e: Evaluation): void; reject(e: Error): void }
}
