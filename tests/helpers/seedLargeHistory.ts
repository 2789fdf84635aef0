import { join } from 'node:path'
import {
  classifierConfigSchema,
  labelBudgetPlanSchema,
  type RunStatus,
  type SplitName
} from '../../preload/contract'
import { databaseFileName, ensureDataDir } from '../../main/platform/dataDir'
import { seededRandom } from '../../main/platform/random'
import { classificationReport } from '../../main/runs/evaluation'
import { plannedRun } from '../../main/runs/labelBudgetExperiment'
import type { MetricRow } from '../../main/store/runRepository'
import { openRunStore } from '../../main/store/runStore'

export interface LargeHistorySize {
  runs: number
  datasets: number
  imagesPerDataset: number
  /** Logged steps per epoch (loss and lr each): the density of a run's curves. */
  stepsPerEpoch: number
}

export interface LargeHistory {
  datasetIds: number[]
  /** The label-budget experiment and four completed classifier runs with curves and evaluations. */
  labelBudgetId: number
  comparedIds: number[]
  seed: number
}

const classNames = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']

/** A run's per-step loss and lr and its per-epoch numbers, shaped like a real training's. */
function curves(epochs: number, stepsPerEpoch: number, next: () => number): MetricRow[] {
  const rows: MetricRow[] = []
  const steps = epochs * stepsPerEpoch
  for (let step = 1; step <= steps; step++) {
    const epoch = Math.floor((step - 1) / stepsPerEpoch)
    rows.push({ name: 'loss', step, epoch, value: 0.3 + 2 * Math.exp((-4 * step) / steps) })
    rows.push({ name: 'lr', step, epoch, value: 0.001 * (1 - step / (steps + 1)) })
  }
  for (let epoch = 0; epoch < epochs; epoch++) {
    const step = (epoch + 1) * stepsPerEpoch
    const acc = 0.7 + 0.2 * ((epoch + 1) / epochs) + (next() - 0.5) * 0.02
    for (const [name, value] of Object.entries({
      'train/loss': 0.9 - 0.5 * ((epoch + 1) / epochs),
      'train/accuracy': acc + 0.03,
      'val/loss': 0.8 - 0.4 * ((epoch + 1) / epochs),
      'val/accuracy': acc,
      'epoch/lr': 0.001,
      images_per_second: 2000 + next() * 500,
      elapsed_seconds: (epoch + 1) * 30
    }))
      rows.push({ name, step, epoch, value })
  }
  return rows
}

/**
 * A large run history written through the store's own functions, as years of use would leave it:
 * `datasets` datasets with their image rows, `runs` classifier runs in every ended status with
 * curves, tags and headlines, evaluations with per-image predictions for the completed ones, and
 * a label-budget experiment whose runs come from the real plan (plannedRun). Seeded.
 */
export function seedLargeHistory(dataDir: string, size: LargeHistorySize, seed = 18): LargeHistory {
  const store = openRunStore(join(ensureDataDir(dataDir), databaseFileName))
  const next = seededRandom(seed)
  try {
    const datasetIds: number[] = []
    for (let d = 0; d < size.datasets; d++) {
      const splits: SplitName[] = [
        'train',
        'train',
        'train',
        'train',
        'train',
        'train',
        'train',
        'train',
        'val',
        'test'
      ]
      const rows = Array.from({ length: size.imagesPerDataset }, (_, idx) => ({
        idx,
        path: `class-${idx % 10}/image-${idx}.png`,
        label: idx % 10,
        split: splits[Math.floor(next() * splits.length)],
        sha256: null
      }))
      const dataset = store.datasets.createWithImages(
        {
          name: `dataset ${d}`,
          kind: 'folder',
          sourcePath: `/data/set-${d}`,
          imageCount: rows.length,
          classNames,
          width: 28,
          height: 28,
          channels: 1
        },
        rows
      )
      datasetIds.push(dataset.id)
    }

    const statuses: RunStatus[] = [
      'completed',
      'completed',
      'completed',
      'completed',
      'failed',
      'stopped',
      'interrupted'
    ]
    const comparedIds: number[] = []
    // The label-budget experiment's runs come first, with the plan's own configs.
    const plan = labelBudgetPlanSchema.parse({
      datasetId: datasetIds[0],
      recipes: ['classifier', 'sgan', 'acgan'],
      budgets: [10, 50, 100, 0],
      seeds: 3,
      steps: 2000,
      batchSize: 64
    })
    const labelBudgetId = store.experiments.create('Label budget soak', datasetIds[0], null, {
      kind: 'label-budget',
      plan
    })
    const planned: { args: ReturnType<typeof plannedRun>; experimentId: number }[] = []
    for (let s = 0; s < plan.seeds; s++)
      for (const budget of plan.budgets)
        for (const recipe of plan.recipes)
          planned.push({
            args: plannedRun(plan, recipe, budget, s, { labelled: budget * 10 || 1600, all: 1600 }),
            experimentId: labelBudgetId
          })

    const experiments = datasetIds.map((id, d) => store.experiments.create(`sweep ${d}`, id))
    for (let i = 0; i < size.runs; i++) {
      const plannedRunArgs = planned[i]
      const datasetId = plannedRunArgs ? datasetIds[0] : datasetIds[i % datasetIds.length]
      const config = plannedRunArgs
        ? (plannedRunArgs.args.config as Record<string, unknown>)
        : classifierConfigSchema.parse({
            preset: (['small-cnn', 'deep-cnn', 'resnet-small'] as const)[i % 3],
            learningRate: [0.0003, 0.001, 0.003][i % 3],
            epochs: 3 + (i % 6),
            seed: i
          })
      const epochs = (config.epochs as number | undefined) ?? 5
      const id = store.runs.create({
        experimentId: plannedRunArgs?.experimentId ?? experiments[i % experiments.length],
        datasetId,
        name: i % 4 === 0 ? null : `run ${i}`,
        recipe: plannedRunArgs?.args.recipe ?? 'classifier',
        seed: (config.seed as number | undefined) ?? i,
        backend: 'wasm',
        config,
        tags: i % 5 === 0 ? ['sweep'] : [],
        pid: null
      })
      const status = plannedRunArgs ? 'completed' : statuses[i % statuses.length]
      store.runs.setStatus(id, 'running', null, 'wasm')
      const done = status === 'completed' ? epochs : 1 + (i % epochs)
      // A planned run takes the plan's steps, however many epochs that makes.
      const logged = plannedRunArgs
        ? Math.max(1, Math.round(plan.steps / epochs))
        : size.stepsPerEpoch
      store.runs.addMetrics(id, curves(done, logged, next))
      store.runs.setStatus(id, status, status === 'failed' ? 'Loss became NaN.' : null)
      const accuracy = 0.75 + next() * 0.2
      store.runs.updateHeadline(id, {
        epochs,
        epochsDone: done,
        valAccuracy: accuracy,
        trainLoss: 1 - accuracy,
        imagesPerSecond: 2200,
        ...(status === 'completed' ? { testAccuracy: accuracy - 0.01 } : {})
      })
      // Every 20th completed run (and four for the compare view) was evaluated image by image.
      if (status === 'completed' && (i % 20 === 0 || comparedIds.length < 4) && !plannedRunArgs) {
        const predictions = Array.from({ length: 500 }, (_, idx) => {
          const label = idx % 10
          return {
            idx,
            label,
            predicted: next() < accuracy ? label : (label + 1) % 10,
            confidence: next()
          }
        })
        const report = classificationReport(
          classNames,
          predictions.map((p) => p.label),
          predictions.map((p) => p.predicted)
        )
        store.results.saveEvaluation(
          {
            runId: id,
            split: 'test',
            loss: 1 - accuracy,
            ...report,
            createdAt: new Date().toISOString()
          },
          predictions
        )
        if (comparedIds.length < 4) comparedIds.push(id)
      }
    }
    return { datasetIds, labelBudgetId, comparedIds, seed }
  } finally {
    store.close()
  }
}
