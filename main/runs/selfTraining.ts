/**
 * self-train: an ordinary classifier (any preset, exportable like any other) trained on the label
 * budget's images plus the training images a vae-graph run labelled most confidently — pseudo-
 * labelling (Lee, "Pseudo-Label", 2013) with labels from graph propagation on a VAE's latent space
 * instead of from the classifier itself, so the CNN can generalise past the graph's k-NN vote.
 *
 * Default share 0.5: on Fashion-MNIST at 10 labels per class (seed 0) the graph's labels were 74.8%
 * right overall, 87.9% in each class's most confident half and 90.7% in its top 30%; half gave a
 * CNN of 74.3% on the test split against the graph's own 73.6% (bench/RESULTS.md).
 *
 * It learns from exactly the graph run's labelled draw (its budget and seed) and never from a
 * hidden label: every training image outside the budget carries the graph's label or none, and
 * the test split never enters training.
 */
import { existsSync, readFileSync } from 'node:fs'
import { isLiveStatus, type SyntheticConfig } from '../../preload/contract'
import type { DatasetData } from '../engine/engineMessages'
import { classifierTrainingData, datasetTrainingData } from '../datasets/trainingData'
import type { PseudoLabels } from '../engine/models/generative/recipe'
import { confidentNodes } from '../engine/models/graph/graphLearning'
import { UserError } from '../platform/userError'
import type { RunStore } from '../store/runStore'
import { generativeData } from './generativeRuns'
import { pseudoLabelsFile, runDir } from '../platform/runFiles'

/** Checks the run can give pseudo-labels on this dataset; throws a message saying what to pick. */
export function checkGraphRun(store: RunStore, datasetId: number, graphRunId: number): void {
  const graph = store.runs.summary(graphRunId)
  if (graph.recipe !== 'vae-graph')
    throw new UserError(
      `Run ${graphRunId} is a ${graph.recipe} run; self-training learns from the labels a ` +
        'vae-graph run spread, so pick a vae-graph run (or train one: --recipe vae-graph).'
    )
  if (graph.datasetId !== datasetId)
    throw new UserError(
      `Graph run ${graphRunId} learnt another dataset (${graph.datasetName ?? 'deleted'}); pick one trained on this dataset.`
    )
  if (graph.status !== 'completed')
    throw new UserError(
      `Graph run ${graphRunId} is ${graph.status}; let it complete first.`,
      'conflict'
    )
}

/**
 * A graph run still queued or training (a label-budget experiment plans self-train behind it):
 * the budget's data and the expected image count, labelled plus the share of the rest; null when
 * the run is finished (or cannot become so, which `checkGraphRun` then explains).
 */
export function pendingGraphRun(
  store: RunStore,
  datasetId: number,
  graphRunId: number,
  share = 0.5
): { data: DatasetData; images: number } | null {
  const graph = store.runs.summary(graphRunId)
  if (graph.recipe !== 'vae-graph' || graph.datasetId !== datasetId) return null
  if (!isLiveStatus(graph.status)) return null
  const data = datasetTrainingData(store, datasetId, {
    normalisation: 'unit',
    ...graphBudget(store, graphRunId)
  })
  const all = generativeData(store, datasetId, 'vae-graph').trainIndices.length
  return { data, images: selfTrainImages(data.trainIndices.length, all, share) }
}

/** Images a self-trained run learns from: the labelled ones plus its share of the rest. */
export const selfTrainImages = (labelled: number, all: number, share: number): number =>
  labelled + Math.round(share * (all - labelled))

/** The graph run's label budget and seed: a self-trained run learns from the same draw. */
export function graphBudget(
  store: RunStore,
  graphRunId: number
): { labelsPerClass: number; seed: number } {
  const { config } = store.runs.get(graphRunId)
  return { labelsPerClass: config.labelsPerClass ?? 0, seed: config.seed ?? 0 }
}

/**
 * The classifier's data: the budget's labelled images with their labels, plus the `share` most
 * confident of each class the graph predicted, with the graph's label. Every other training
 * label is hidden (−1), so nothing downstream can read it.
 */
export function selfTrainData(
  store: RunStore,
  dataDir: string,
  datasetId: number,
  config: Pick<
    SyntheticConfig,
    'generatorRunId' | 'pseudoLabelShare' | 'normalisation' | 'augmentation'
  >
): DatasetData {
  const graphRunId = config.generatorRunId
  checkGraphRun(store, datasetId, graphRunId)
  const file = pseudoLabelsFile(runDir(dataDir, graphRunId))
  if (!existsSync(file))
    throw new UserError(
      `Graph run ${graphRunId} has no pseudo-labels file (${file}); evaluate or train it again.`,
      'failed'
    )
  const pseudo = JSON.parse(readFileSync(file, 'utf8')) as PseudoLabels
  const base = classifierTrainingData(store, datasetId, {
    ...config,
    ...graphBudget(store, graphRunId)
  })
  const labelled = new Set(base.trainIndices)
  if (pseudo.labelled.length !== labelled.size || pseudo.labelled.some((i) => !labelled.has(i)))
    throw new UserError(
      `Graph run ${graphRunId}'s labelled images differ from this dataset's draw for its budget; ` +
        'the dataset changed since. Train the vae-graph run again.',
      'failed'
    )
  const share = config.pseudoLabelShare
  const margins = Float32Array.from(pseudo.margins, (m) => m ?? Infinity)
  const confident = confidentNodes(Int32Array.from(pseudo.labels), margins, base.classes, share)
  const labels = base.labels.slice()
  const test = new Set(base.evalIndices)
  for (const index of pseudo.indices) if (!labelled.has(index)) labels[index] = -1
  const added: number[] = []
  for (const at of confident) {
    const index = pseudo.indices[at]
    if (labelled.has(index) || test.has(index)) continue
    labels[index] = pseudo.labels[at]
    added.push(index)
  }
  const trainIndices = [...base.trainIndices, ...added].sort((a, b) => a - b)
  return { ...base, labels, trainIndices, labelledIndices: base.trainIndices }
}
