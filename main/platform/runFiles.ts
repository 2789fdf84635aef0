/**
 * Where a run's files live, in one leaf module both the host and the engine read: each run has
 * one folder of the data dir holding its checkpoint (and samples and exports).
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'

export const runDir = (dataDir: string, runId: number): string =>
  join(dataDir, 'runs', String(runId))

/** The run's latest weights and trainer state (written at each epoch end). */
export const checkpointFile = (dir: string): string => join(dir, 'checkpoint.ckpt')

/** The weights of the best validation epoch, kept when early stopping is on. */
export const bestCheckpointFile = (dir: string): string => join(dir, 'best.ckpt')

/** vae-graph runs: the labels graph learning gave the unlabelled training images. */
export const pseudoLabelsFile = (dir: string): string => join(dir, 'pseudo-labels.json')

export function deleteRunFiles(dataDir: string, runId: number): void {
  rmSync(runDir(dataDir, runId), { recursive: true, force: true })
}
