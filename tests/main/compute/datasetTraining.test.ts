import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Augmentation } from '../../../preload/contract'
import type { TrainSpec } from '../../../main/compute/engineMessages'
import { importDataset } from '../../../main/datasets/importDataset'
import { datasetTrainingData } from '../../../main/datasets/trainingData'
import { createWorkbench, type Workbench } from '../../../main/host/workbench'
import { tempDir } from '../../helpers/tempDir'

/** Two classes a person tells apart at once: the bright half is on the left, or on the right. */
async function writeHalves(root: string): Promise<void> {
  let state = 7
  const noise = (): number => ((state = (state * 1103515245 + 12345) >>> 0) >>> 24) % 60
  for (const side of ['left', 'right']) {
    mkdirSync(join(root, side), { recursive: true })
    for (let i = 0; i < 40; i++) {
      const data = Buffer.alloc(28 * 28)
      for (let y = 0; y < 28; y++)
        for (let x = 0; x < 28; x++)
          data[y * 28 + x] = (side === 'left' ? x < 14 : x >= 14) ? 190 + noise() : noise()
      await sharp(data, { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(join(root, side, `${i}.png`))
    }
  }
}

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
    model: 'reference-cnn',
    data: datasetTrainingData(workbench.store, datasetId, { normalisation: 'unit', augmentation }),
    epochs,
    batchSize: 16,
    learningRate: epochs === 1 ? 0.0003 : 0.002,
    seed: 11
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
