/**
 * Which trained model a run's export or prediction rebuilds in the engine: its recipe, config,
 * dataset shape and final checkpoint (and, for the generative Bayes classifier, the calibrated
 * out-of-distribution threshold of its evaluation).
 */
import type { ModelSource } from '../engine/engineMessages'
import { classifierTrainingData } from '../datasets/trainingData'
import { UserError } from '../platform/userError'
import type { RunRecord } from '../store/runRepository'
import type { RunStore } from '../store/runStore'
import { savedGenerativeRun } from './generativeRuns'
import { checkpointFile, runDir } from '../platform/runFiles'
import { classifierPart } from './generatedDataRuns'

export function runModelSource(
  store: RunStore,
  dataDir: string,
  runId: number
): {
  run: RunRecord
  source: Exclude<ModelSource, { kind: 'exported' }>
  /** How the dataset's images were fitted to the square (new images must be fitted alike). */
  fit: 'cover' | 'contain'
} {
  const run = store.runs.get(runId)
  if (!run.hasCheckpoint)
    throw new UserError(
      `Run ${runId} has no saved weights yet (they are saved at each epoch end); let it train first.`,
      'conflict'
    )
  if (run.datasetId === null)
    throw new UserError(
      `The dataset of run ${runId} was deleted, so its image size and classes are unknown.`
    )
  const fit = store.datasets.get(run.datasetId).meta.fit === 'contain' ? 'contain' : 'cover'
  if (run.family === 'generative') {
    const saved = savedGenerativeRun(store, dataDir, runId)
    const threshold = store.results.getEvaluation(runId)?.outOfDistribution?.threshold
    return {
      run,
      fit,
      source: {
        kind: 'generative',
        model: saved.model,
        data: saved.data,
        ...(threshold !== undefined ? { oodThreshold: threshold } : {})
      }
    }
  }
  const config = run.family === 'synthetic' ? classifierPart(run.config) : run.config
  // The training split: where the normalisation statistics of older checkpoints come from.
  const data = classifierTrainingData(store, run.datasetId, config)
  return {
    run,
    fit,
    source: {
      kind: 'classifier',
      config,
      data,
      checkpointFile: checkpointFile(runDir(dataDir, runId))
    }
  }
}
