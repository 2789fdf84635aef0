import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classifierConfigSchema, type Augmentation } from '../../../preload/contract'
import type { TrainSpec } from '../../../main/engine/engineMessages'
import { importDataset } from '../../../main/datasets/importDataset'
import { datasetTrainingData } from '../../../main/datasets/trainingData'
import { createWorkbench } from '../../../main/host/workbench'
import type { Workbench } from '../../../main/host/workbenchServices'
import { tempDir } from '../../helpers/tempDir'
import { writeHalves } from '../../helpers/trainingFixtures'

describe('training on an imported dataset in the engine worker', () => {
  let dir: ReturnType<typeof tempDir>
  let workbench: Workbench
  let datasetId: number

  beforeAll(async () => {
    dir = tempDir()
    await writeHalves(join(dir.path, 'halves'))
    workbench = createWorkbench({ dataDir: join(dir.path, 'home'), backend: 'wasm', log: () => {} })
    datasetId = (
      await importDataset(workbench.store, workbench.dataDir, join(dir.path, 'halves'), { seed: 2 })
    ).dataset.id
    await workbench.engine.ready()
  })
  afterAll(async () => {
    await workbench.close()
    dir.cleanup()
  })

  const spec = (augmentation?: Augmentation, epochs = 4): TrainSpec => ({
    data: datasetTrainingData(workbench.store, datasetId, { normalisation: 'unit', augmentation }),
    config: classifierConfigSchema.parse({
      epochs,
      batchSize: 16,
      learningRate: epochs === 1 ? 0.0003 : 0.002,
      seed: 11
    })
  })
  const crop = {
    flip: false,
    cropPadding: 2,
    rotateDegrees: 0,
    brightness: 0.1,
    contrast: 0.1,
    cutout: 0
  }

  it('learns from the uint8 cache with augmentation on the fly and measures the test split', async () => {
    const data = spec(crop).data as Extract<TrainSpec['data'], { kind: 'dataset' }>
    expect(data.trainIndices).toHaveLength(64)
    expect(data.valIndices).toHaveLength(8)
    expect(data.evalIndices).toHaveLength(8)
    const result = await workbench.engine.train(spec(crop)).done
    expect(result.accuracy).toBeGreaterThanOrEqual(0.875) // 7 of 8 test images; chance is 0.5
    expect(new Set(result.tensorsPerEpoch).size).toBe(1)
  })

  it('is reproducible for a seed, and the augmentation really changes what is trained on', async () => {
    // One short epoch, so the loss is still far from zero and shows every difference.
    const first = await workbench.engine.train(spec(crop, 1)).done
    const again = await workbench.engine.train(spec(crop, 1)).done
    const plain = await workbench.engine.train(spec(undefined, 1)).done
    expect(first.finalLoss).toBeGreaterThan(0.01)
    expect(again.finalLoss).toBe(first.finalLoss)
    expect(plain.finalLoss).not.toBe(first.finalLoss)
  })
})
