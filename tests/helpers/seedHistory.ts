import { join } from 'node:path'
import { databaseFileName, ensureDataDir } from '../../main/platform/dataDir'
import { openRunStore } from '../../main/store/runStore'
import { fashionMnistNames } from '../../main/datasets/collectArrays'

/**
 * Writes a small real run history (one dataset, one experiment, three runs in different states,
 * with metrics) into the SQLite file of `dataDir`, through the store's own functions.
 */
export function seedHistory(dataDir: string): {
  datasetId: number
  experimentId: number
  runIds: number[]
} {
  const store = openRunStore(join(ensureDataDir(dataDir), databaseFileName))
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
    const experimentId = store.experiments.create('Small CNN baseline', dataset.id)
    const runIds = [
      store.runs.create({
        experimentId,
        datasetId: dataset.id,
        recipe: 'classifier',
        seed: 1,
        backend: 'wasm',
        config: { preset: 'small-cnn', epochs: 5, lr: 0.001 }
      }),
      store.runs.create({
        experimentId,
        datasetId: dataset.id,
        recipe: 'dcgan',
        seed: 2,
        backend: 'wasm',
        config: { latent: 64 }
      }),
      store.runs.create({
        experimentId,
        datasetId: dataset.id,
        name: 'vae β=1',
        recipe: 'vae',
        seed: 3,
        backend: 'cpu',
        config: { beta: 1 }
      })
    ]
    store.runs.setStatus(runIds[0], 'running')
    store.runs.addMetrics(runIds[0], [
      { name: 'loss', step: 0, epoch: 0, value: 2.3 },
      { name: 'loss', step: 1, epoch: 0, value: 1.1 },
      { name: 'val_accuracy', step: 1, epoch: 0, value: 0.84 }
    ])
    store.runs.setStatus(runIds[0], 'completed')
    store.runs.setStatus(runIds[1], 'running')
    store.runs.setStatus(
      runIds[1],
      'failed',
      'Loss became NaN at step 812; the last good checkpoint is kept.'
    )
    return { datasetId: dataset.id, experimentId, runIds }
  } finally {
    store.close()
  }
}
