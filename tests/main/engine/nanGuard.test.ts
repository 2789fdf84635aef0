/**
 * The NaN guard, in process: a weight turned NaN in the middle of epoch 2 (as a diverging update
 * would) stops training with a clear message, and the checkpoint of epoch 1 stays on disk, intact
 * and finite, to resume from.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
// Vitest loads tfjs-core's ES build, which (unlike the Node bundle the app uses) has no gradients.
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import { existsSync, readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classifierConfigSchema } from '../../../preload/contract'
import { readCheckpoint } from '../../../main/engine/checkpoint'
import { JobControl } from '../../../main/engine/jobControl'
import { train, type TrainerState } from '../../../main/engine/trainer'
import { checkpointFile } from '../../../main/platform/runFiles'
import { tempDir } from '../../helpers/tempDir'

/** Between steps (where the loop yields), poisons one weight once `step` steps have run. */
class PoisoningControl extends JobControl {
  steps = 0
  constructor(private readonly poisonAt: number) {
    super()
  }
  override async checkpoint(onPause?: () => void, onResume?: () => void): Promise<boolean> {
    if (this.steps++ === this.poisonAt) {
      const variable = Object.values(tf.engine().registeredVariables).find((v) => v.trainable)!
      variable.assign(tf.fill(variable.shape, Number.NaN))
    }
    return super.checkpoint(onPause, onResume)
  }
}

describe('the NaN guard', () => {
  let dir: ReturnType<typeof tempDir>
  beforeAll(async () => {
    await tf.setBackend('cpu')
    dir = tempDir()
  })
  afterAll(() => dir.cleanup())

  it('stops on a non-finite loss and keeps the last good checkpoint', async () => {
    const epochs: number[] = []
    const spec = {
      data: {
        kind: 'squares' as const,
        samples: 64,
        height: 12,
        width: 12,
        channels: 1,
        classes: 2
      },
      config: classifierConfigSchema.parse({ epochs: 4, batchSize: 16, seed: 1 }),
      checkpointDir: dir.path
    }
    // 4 steps per epoch: poison before the 2nd step of epoch 2.
    const run = train('nan', spec, new PoisoningControl(5), {
      onStart: () => {},
      onProgress: () => {},
      onEpoch: (e) => epochs.push(e.epoch),
      onPause: () => {},
      onResume: () => {}
    })
    await expect(run).rejects.toThrow(
      /Loss became NaN at epoch 2, batch \d+ .*The checkpoint of epoch 1 is kept\. Lower the learning rate/
    )
    expect(epochs).toEqual([0])
    const checkpoint = readCheckpoint<TrainerState>(checkpointFile(dir.path))
    expect(checkpoint.state).toMatchObject({ epochsDone: 1, step: 4 })
    for (const { tensor } of checkpoint.weights)
      expect(tf.all(tf.isFinite(tensor)).dataSync()[0]).toBe(1)
    tf.dispose([...checkpoint.weights, ...checkpoint.optimizer].map((t) => t.tensor))
    expect(readdirSync(dir.path).filter((f) => f.includes('.tmp'))).toEqual([])
    expect(existsSync(checkpointFile(dir.path))).toBe(true)
  })
})
