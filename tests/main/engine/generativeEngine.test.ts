/**
 * A generative run through the engine worker (wasm, the backend CI has): it draws the fixed-noise
 * grid as PNG files, checkpoints, resumes to exactly the numbers of an uninterrupted run, and
 * generates the same images for the same seed from its saved weights.
 */
import { existsSync, readFileSync } from 'node:fs'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveGenerativeConfig } from '../../../preload/contract'
import type { GenerativeTrainSpec, SampleSnapshot } from '../../../main/engine/engineMessages'
import { createWorkbench } from '../../../main/host/workbench'
import type { Workbench } from '../../../main/host/workbenchServices'
import { tempDir } from '../../helpers/tempDir'
import { join } from 'node:path'

const spec = (checkpointDir: string, epochs: number, resume = false): GenerativeTrainSpec => ({
  recipe: 'dcgan',
  data: { kind: 'squares', samples: 96, height: 28, width: 28, channels: 1, classes: 4 },
  config: resolveGenerativeConfig('dcgan', {
    epochs,
    batchSize: 32,
    width: 8,
    latentDim: 8,
    snapshotsPerEpoch: 2,
    seed: 3
  }),
  checkpointDir,
  resume
})

describe('generative training in the engine worker', () => {
  let dir: ReturnType<typeof tempDir>
  let workbench: Workbench

  beforeAll(async () => {
    dir = tempDir()
    workbench = createWorkbench({ dataDir: dir.path, backend: 'wasm', log: () => {} })
    expect(await workbench.engine.ready()).toMatchObject({ state: 'ready', active: 'wasm' })
  })
  afterAll(async () => {
    await workbench.close()
    dir.cleanup()
  })

  it('draws grids, leaks nothing, and resumes to the numbers of an uninterrupted run', async () => {
    const snapshots: SampleSnapshot[] = []
    const straight = join(dir.path, 'straight')
    const whole = await workbench.engine.train(spec(straight, 3), {
      onSnapshot: (s) => snapshots.push(s)
    }).done
    expect(whole).toMatchObject({ status: 'completed', steps: 9, epochsDone: 3 })
    expect(new Set(whole.tensorsPerEpoch).size).toBe(1)
    // Step 0 (untrained), then two per epoch, the last at the epoch's end.
    expect(snapshots.map((s) => s.step)).toEqual([0, 2, 3, 5, 6, 8, 9])
    const png = await sharp(readFileSync(snapshots.at(-1)!.path)).metadata()
    expect(png).toMatchObject({ format: 'png', width: 8 * 28 + 9 * 2, height: 8 * 28 + 9 * 2 })
    expect(snapshots.every((s) => Number.isFinite(s.diversity) && s.diversity > 0)).toBe(true)

    const interrupted = join(dir.path, 'interrupted')
    const replayed: Record<string, number>[] = []
    const lossesOf = async (folder: string, epochs: number, resume: boolean) => {
      const losses: Record<string, number>[] = []
      await workbench.engine.train(spec(folder, epochs, resume), {
        onEpoch: (e) => (e.replayed ? replayed : losses).push(e.metrics)
      }).done
      return losses
    }
    const first = await lossesOf(interrupted, 2, false)
    // The same run with more epochs, continued from the 2-epoch checkpoint, which first reports
    // again the epoch it ends (in case the database never recorded it).
    const rest = await lossesOf(interrupted, 3, true)
    expect(replayed).toEqual([first.at(-1)])
    const reference = await lossesOf(join(dir.path, 'reference'), 3, false)
    const pick = (m: Record<string, number>) => [m['train/d/loss'], m['train/g/loss']]
    expect([...first, ...rest].map(pick)).toEqual(reference.map(pick))
  }, 120_000)

  it('generates the same images for the same seed from saved weights, different for another', async () => {
    const folder = join(dir.path, 'straight')
    expect(existsSync(join(folder, 'checkpoint.ckpt'))).toBe(true)
    const model = {
      recipe: 'dcgan' as const,
      config: spec(folder, 3).config,
      shape: { height: 28, width: 28, channels: 1, classes: 4 },
      checkpointFile: join(folder, 'checkpoint.ckpt')
    }
    const ask = (seed: number) =>
      workbench.engine.task({
        kind: 'generate',
        model,
        n: 6,
        labels: null,
        seed,
        interpolate: false
      })
    const [a, b, c] = [await ask(5), await ask(5), await ask(6)]
    expect(a.count).toBe(6)
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true)
    expect(Buffer.from(a.pixels).equals(Buffer.from(c.pixels))).toBe(false)
  })
})
