import { join } from 'node:path'
import { classifierConfigSchema, type RunStatus } from '../../preload/contract'
import { fashionMnistNames } from '../../main/datasets/collectArrays'
import { databaseFileName, ensureDataDir } from '../../main/platform/dataDir'
import type { MetricRow } from '../../main/store/runRepository'
import { openRunStore } from '../../main/store/runStore'

export interface SeededRuns {
  datasetId: number
  experimentIds: number[]
  /** In creation order; runIds[0] is the oldest. */
  runIds: number[]
  /** The two runs with full curves, differing in learning rate (and their accuracies). */
  compared: { ids: [number, number]; learningRates: [number, number] }
}

/** Deterministic, so a seeded table looks the same in every run of the tests. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32
}

/** Curves that look like training: loss per step falling, validation accuracy rising per epoch. */
function curves(
  epochs: number,
  stepsPerEpoch: number,
  rate: number,
  next: () => number
): MetricRow[] {
  const rows: MetricRow[] = []
  const steps = epochs * stepsPerEpoch
  for (let step = 1; step <= steps; step++) {
    const epoch = Math.floor((step - 1) / stepsPerEpoch)
    const loss = 0.25 + 2 * Math.exp((-step / steps) * 4 * rate) + (next() - 0.5) * 0.08
    rows.push({ name: 'loss', step, epoch, value: loss })
    rows.push({ name: 'lr', step, epoch, value: 0.001 })
  }
  for (let epoch = 0; epoch < epochs; epoch++) {
    const step = (epoch + 1) * stepsPerEpoch
    const progress = (epoch + 1) / epochs
    const acc = 0.78 + 0.12 * rate * (1 - Math.exp(-3 * progress)) + (next() - 0.5) * 0.005
    for (const [name, value] of Object.entries({
      'train/loss': 0.7 - 0.4 * progress * rate,
      'train/accuracy': acc + 0.02,
      'val/loss': 0.62 - 0.3 * progress * rate,
      'val/accuracy': acc,
      'epoch/lr': 0.001,
      images_per_second: 2400 + next() * 300
    }))
      rows.push({ name, step, epoch, value })
  }
  return rows
}

/**
 * Writes a run history through the store's own functions: one dataset, a few experiments, and
 * `count` classifier runs in every status, with tags, notes and headline numbers. The two newest
 * runs differ only in learning rate and carry full metric curves, for the compare tab.
 */
export function seedRuns(dataDir: string, count = 40): SeededRuns {
  const store = openRunStore(join(ensureDataDir(dataDir), databaseFileName))
  const next = random(42)
  try {
    const dataset = store.datasets.create({
      name: 'fashion-mnist',
      kind: 'idx',
      sourcePath: '/usr/share/datasets/fashion-mnist',
      imageCount: 70000,
      classNames: fashionMnistNames,
      width: 28,
      height: 28,
      channels: 1
    })
    const experimentIds = ['Learning-rate sweep', 'Presets', 'Augmentation'].map((name) =>
      store.experiments.create(name, dataset.id)
    )
    const presets = ['small-cnn', 'deep-cnn', 'resnet-small'] as const
    const statuses: RunStatus[] = ['completed', 'completed', 'completed', 'failed', 'stopped']
    const tagSets = [[], ['baseline'], ['lr-sweep'], ['lr-sweep', 'keep'], ['augment'], []]
    const runIds: number[] = []
    for (let i = 0; i < count; i++) {
      const learningRate = [0.0003, 0.001, 0.003, 0.01][i % 4]
      const epochs = 3 + (i % 5)
      const config = classifierConfigSchema.parse({
        preset: presets[i % 3],
        learningRate,
        epochs,
        seed: i,
        augmentation: { flip: i % 2 === 0 }
      })
      const id = store.runs.create({
        experimentId: experimentIds[i % 3],
        datasetId: dataset.id,
        name: i % 3 === 0 ? null : `${config.preset} lr=${learningRate}`,
        recipe: 'classifier',
        seed: i,
        backend: i % 7 === 0 ? 'tensorflow' : 'wasm',
        config,
        tags: tagSets[i % tagSets.length],
        pid: null
      })
      runIds.push(id)
      const status = statuses[i % statuses.length]
      store.runs.setStatus(id, 'running', null, i % 7 === 0 ? 'tensorflow' : 'wasm')
      store.runs.setStatus(id, status, status === 'failed' ? 'Loss became NaN at step 812.' : null)
      const done = status === 'completed' ? epochs : 1 + (i % epochs)
      const valAccuracy = 0.8 + next() * 0.12
      store.runs.updateHeadline(id, {
        epochs,
        epochsDone: done,
        valAccuracy,
        valLoss: 0.6 - (valAccuracy - 0.8),
        trainLoss: 0.5 - (valAccuracy - 0.8),
        imagesPerSecond: 2000 + next() * 800,
        ...(status === 'completed' ? { testAccuracy: valAccuracy - 0.01 * next() } : {})
      })
      if (i % 6 === 1)
        store.runs.edit(id, {
          notes: `Seeded run ${i}: ${config.preset}, checking whether flips help on this split.`
        })
    }

    // The two newest: same everything but the learning rate, with curves.
    const learningRates: [number, number] = [0.001, 0.003]
    const compared = learningRates.map((learningRate, k) => {
      const config = classifierConfigSchema.parse({ learningRate, epochs: 4, seed: 7 })
      const id = store.runs.create({
        experimentId: experimentIds[0],
        datasetId: dataset.id,
        name: `compare lr=${learningRate}`,
        recipe: 'classifier',
        seed: 7,
        backend: 'wasm',
        config,
        tags: ['lr-sweep', 'compare'],
        pid: null
      })
      store.runs.setStatus(id, 'running', null, 'wasm')
      store.runs.addMetrics(id, curves(4, 50, 1 + k * 0.5, next))
      store.runs.setStatus(id, 'completed')
      store.runs.updateHeadline(id, {
        epochs: 4,
        epochsDone: 4,
        valAccuracy: 0.88 + k * 0.02,
        valLoss: 0.34 - k * 0.03,
        trainLoss: 0.3 - k * 0.04,
        trainAccuracy: 0.9 + k * 0.02,
        imagesPerSecond: 2500,
        testAccuracy: 0.875 + k * 0.02,
        bestEpoch: 3
      })
      runIds.push(id)
      return id
    }) as [number, number]
    return {
      datasetId: dataset.id,
      experimentIds,
      runIds,
      compared: { ids: compared, learningRates }
    }
  } finally {
    store.close()
  }
}
