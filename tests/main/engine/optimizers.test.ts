/**
 * The optimisers against their PyTorch formulas on one variable, the schedules against
 * torch.optim.lr_scheduler numbers, and checkpoints: round trip, damage, atomicity.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { readCheckpoint, writeCheckpoint } from '../../../main/engine/checkpoint'
import { createOptimizer, type OptimizerConfig } from '../../../main/engine/optimizers'
import { learningRateAt, type ScheduleConfig } from '../../../main/engine/schedules'
import { tempDir } from '../../helpers/tempDir'

beforeAll(() => tf.setBackend('cpu'))

/** Two steps on w = [1, -2] (a "kernel") with loss Σ w²/2, so the gradient is w itself. */
function twoSteps(config: OptimizerConfig, lrs = [0.1, 0.05]): number[] {
  const w = tf.variable(tf.tensor1d([1, -2]), true, 'dense/kernel')
  const optimizer = createOptimizer(config)
  for (const lr of lrs)
    optimizer.step(() => tf.mul(tf.sum(tf.square(w)), 0.5) as tf.Scalar, [w], lr).dispose()
  const result = Array.from(w.dataSync())
  optimizer.dispose()
  w.dispose()
  return result
}

describe('optimisers', () => {
  const base = { learningRate: 0.1, weightDecay: 0, momentum: 0.9 }

  it('SGD with momentum and L2 decay follows torch.optim.SGD', () => {
    // g = w + wd·w; v = μv + g; w −= lr·v (lr 0.1 then 0.05).
    const wd = 0.1
    const expected = [1, -2].map((w0) => {
      let w = w0
      let v = 0
      for (const lr of [0.1, 0.05]) {
        v = 0.9 * v + (w + wd * w)
        w -= lr * v
      }
      return w
    })
    const got = twoSteps({ ...base, optimizer: 'sgd', weightDecay: wd })
    got.forEach((w, i) => expect(w).toBeCloseTo(expected[i], 6))
  })

  it('Adam and AdamW follow torch.optim.Adam / AdamW (bias-corrected, eps 1e-8)', () => {
    const adam = (decay: number): number[] =>
      [1, -2].map((w0) => {
        let w = w0
        let m = 0
        let v = 0
        ;[0.1, 0.05].forEach((lr, t) => {
          const g = w // the gradient of w²/2, taken before the decoupled decay
          w *= 1 - lr * decay
          m = 0.9 * m + 0.1 * g
          v = 0.999 * v + 0.001 * g * g
          const mHat = m / (1 - 0.9 ** (t + 1))
          const vHat = v / (1 - 0.999 ** (t + 1))
          w -= (lr * mHat) / (Math.sqrt(vHat) + 1e-8)
        })
        return w
      })
    twoSteps({ ...base, optimizer: 'adam' }).forEach((w, i) => expect(w).toBeCloseTo(adam(0)[i], 5))
    twoSteps({ ...base, optimizer: 'adamw', weightDecay: 0.5 }).forEach((w, i) =>
      expect(w).toBeCloseTo(adam(0.5)[i], 5)
    )
  })

  it('round-trips its state: continuing after a restore equals never stopping', async () => {
    const run = async (restoreAfter: number | null): Promise<number[]> => {
      const w = tf.variable(tf.tensor1d([1, -2, 3]), true, 'k/kernel')
      let optimizer = createOptimizer({ ...base, optimizer: 'adam' })
      const loss = (): tf.Scalar => tf.sum(tf.pow(w, 4)) as tf.Scalar
      for (let step = 0; step < 6; step++) {
        if (step === restoreAfter) {
          const state = await optimizer.getState()
          optimizer.dispose()
          optimizer = createOptimizer({ ...base, optimizer: 'adam' })
          await optimizer.setState(state)
          tf.dispose(state.map((s) => s.tensor))
        }
        optimizer.step(loss, [w], 0.01).dispose()
      }
      const result = Array.from(w.dataSync())
      optimizer.dispose()
      w.dispose()
      return result
    }
    expect(await run(3)).toEqual(await run(null))
  })
})

describe('learning-rate schedules', () => {
  const config: ScheduleConfig = {
    schedule: 'one-cycle',
    learningRate: 0.01,
    stepEpochs: 2,
    stepGamma: 0.1,
    warmupFraction: 0.3
  }
  it('one-cycle matches torch OneCycleLR(max_lr=0.01, total_steps=20, pct_start=0.3)', () => {
    // Printed by /usr/bin/python3 with torch 1.13 (python3-torch), lr before each of the 20 steps.
    const torch = [
      0.0004, 0.0013167184270002508, 0.003716718427000252, 0.006683281572999748,
      0.009083281572999747, 0.01, 0.009874640062350875, 0.009504846320134737, 0.0089091617757105,
      0.008117456539497631, 0.007169430017913008, 0.0061126202193628925, 0.00500002,
      0.003887419780637108, 0.0028306099820869924, 0.00188258346050237, 0.0010908782242895004,
      0.0004951936798652628, 0.00012539993764912555, 4e-8
    ]
    torch.forEach((lr, step) => expect(learningRateAt(config, step, 5, 20)).toBeCloseTo(lr, 12))
  })
  it('step, cosine and constant', () => {
    const at = (schedule: ScheduleConfig['schedule'], step: number): number =>
      learningRateAt({ ...config, schedule }, step, 10, 100)
    const expected = [0.01, 0.01, 0.001, 0.001, 0.0001]
    ;[0, 19, 20, 39, 40].forEach((s, i) => expect(at('step', s)).toBeCloseTo(expected[i], 15))
    expect(at('cosine', 0)).toBe(0.01)
    expect(at('cosine', 50)).toBeCloseTo(0.005, 12)
    expect(at('constant', 77)).toBe(0.01)
  })
})

describe('checkpoint files', () => {
  it('round-trips weights, optimiser state and trainer state, atomically', async () => {
    const dir = tempDir()
    const file = join(dir.path, 'checkpoint.ckpt')
    const weights = [
      {
        name: 'w',
        tensor: tf.tensor2d([
          [1.5, -2],
          [3, 4]
        ])
      }
    ]
    const optimizer = [{ name: 'iter', tensor: tf.scalar(7, 'int32') }]
    const written = await writeCheckpoint(file, { state: { epoch: 3 }, weights, optimizer })
    expect(written.bytes).toBe(readFileSync(file).length)
    expect(written.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(readdirSync(dir.path)).toEqual(['checkpoint.ckpt']) // no temp file left
    const back = readCheckpoint<{ epoch: number }>(file)
    expect(back.state).toEqual({ epoch: 3 })
    expect(back.weights[0].tensor.arraySync()).toEqual([
      [1.5, -2],
      [3, 4]
    ])
    expect(back.optimizer[0].tensor.dtype).toBe('int32')
    expect(back.optimizer[0].tensor.dataSync()[0]).toBe(7)

    // A truncated file is refused by name; a failed write leaves the old checkpoint as it was.
    writeFileSync(join(dir.path, 'cut.ckpt'), readFileSync(file).subarray(0, 40))
    expect(() => readCheckpoint(join(dir.path, 'cut.ckpt'))).toThrow(/cut\.ckpt is damaged/)
    await expect(
      writeCheckpoint(join(dir.path, 'missing', 'x.ckpt'), { state: {}, weights, optimizer })
    ).rejects.toThrow(/ENOENT/)
    expect(readCheckpoint<{ epoch: number }>(file).state.epoch).toBe(3)
    expect(existsSync(join(dir.path, 'missing'))).toBe(false)
    dir.cleanup()
  })
})
