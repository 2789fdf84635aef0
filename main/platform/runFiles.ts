/**
 * Where a run's files live, in one leaf module both the host and the engine read: each run has
 * one folder of the data dir holding its checkpoint (and samples and exports).
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { removeStaleTemporaries } from './staleTemporaries'

export const runDir = (dataDir: string, runId: number): string =>
  join(dataDir, 'runs', String(runId))

/** The run's latest weights and trainer state (written at each epoch end). */
export const checkpointFile = (dir: string): string => join(dir, 'checkpoint.ckpt')

/** The weights of the best validation epoch, kept when early stopping is on. */
export const bestCheckpointFile = (dir: string): string => join(dir, 'best.ckpt')

/** A generative run's timelapse grid drawn at `step`. */
export const sampleGridFile = (dir: string, step: number): string =>
  join(dir, 'samples', `step-${String(step).padStart(8, '0')}.png`)

/** vae-graph runs: the labels graph learning gave the unlabelled training images. */
export const pseudoLabelsFile = (dir: string): string => join(dir, 'pseudo-labels.json')

export function deleteRunFiles(dataDir: string, runId: number): void {
  rmSync(runDir(dataDir, runId), { recursive: true, force: true })
}

/**
 * Removes what a killed training of the run left in its folder (temporary checkpoint, sample-grid
 * and pseudo-label files whose writer is gone); returns their paths.
 */
export function removeRunLeftovers(dataDir: string, runId: number): string[] {
  const dir = runDir(dataDir, runId)
  return [...removeStaleTemporaries(dir), ...removeStaleTemporaries(join(dir, 'samples'))]
}
