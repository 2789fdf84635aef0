/**
 * Augmentation on the GPU augments like the CPU path: the same seed gives the same flips, shifts,
 * rotations, contrast, brightness and cutouts, pixel for pixel up to one rounding step, on real
 * Fashion-MNIST images and on the WebGPU backend (SwiftShader in CI; no adapter fails the test).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { augmentationSchema, type Augmentation } from '../../../preload/contract'
import { selectBackend } from '../../../main/engine/backendProbe'
import { augmentOnDevice, normaliseOnDevice } from '../../../main/engine/deviceAugment'
import { augmentBatch } from '../../../main/datasets/augment'
import { channelStats, normalise } from '../../../main/datasets/normalize'
import { requireFashionMnist } from '../../helpers/fashionSubset'
import { noAdapterAdvice, useWebgpuForTests } from '../../helpers/webgpuAdapter'

const count = 32
const shape = { height: 28, width: 28, channels: 1 }
let pixels: Uint8Array

beforeAll(async () => {
  useWebgpuForTests()
  const images = gunzipSync(readFileSync(join(requireFashionMnist(), 't10k-images-idx3-ubyte.gz')))
  pixels = Uint8Array.from(images.subarray(16, 16 + count * 784))
  const status = await selectBackend('webgpu')
  expect(status.active, `${status.error ?? ''} ${noAdapterAdvice}`).toBe('webgpu')
}, 120_000)

/** The GPU's augmented pixels for the batch, read back. */
async function onDevice(a: Augmentation, seed: number): Promise<Float32Array> {
  const input = tf.tensor4d(Float32Array.from(pixels), [count, 28, 28, 1])
  const out = augmentOnDevice(input, shape, a, seed)
  const values = (await out.data()) as Float32Array
  tf.dispose([input, out])
  return values
}

function differences(cpu: Uint8Array, gpu: Float32Array): { max: number; changed: number } {
  let max = 0
  let changed = 0
  cpu.forEach((v, i) => {
    const d = Math.abs(v - gpu[i])
    max = Math.max(max, d)
    if (d > 0) changed++
  })
  return { max, changed: changed / cpu.length }
}

describe('augmentation on the GPU', () => {
  it('shifts and flips exactly as the CPU does', async () => {
    const a = augmentationSchema.parse({ flip: true, cropPadding: 4 })
    const cpu = augmentBatch(pixels, count, shape, a, 11)
    const { max } = differences(cpu, await onDevice(a, 11))
    expect(max).toBe(0)
    // And it did something: the augmented batch is not the input.
    expect(differences(pixels, await onDevice(a, 11)).changed).toBeGreaterThan(0.05)
  })

  it('rotates, changes contrast and brightness and cuts out as the CPU does, to a rounding step', async () => {
    const a = augmentationSchema.parse({
      flip: true,
      cropPadding: 3,
      rotateDegrees: 15,
      contrast: 0.3,
      brightness: 0.2,
      cutout: 8
    })
    const { max, changed } = differences(
      augmentBatch(pixels, count, shape, a, 5),
      await onDevice(a, 5)
    )
    expect(max).toBeLessThanOrEqual(1)
    expect(changed).toBeLessThan(0.02)
    console.info(`GPU vs CPU augmentation: ${(changed * 100).toFixed(2)}% of pixels one step apart`)
  })

  it('normalises as the CPU does', async () => {
    const stats = channelStats(
      pixels,
      784,
      1,
      Array.from({ length: count }, (_, i) => i)
    )
    for (const mode of ['unit', 'symmetric', 'standardize'] as const) {
      const input = tf.tensor4d(Float32Array.from(pixels), [count, 28, 28, 1])
      const out = normaliseOnDevice(input, mode, stats)
      const gpu = await out.data()
      tf.dispose([input, out])
      const cpu = normalise(pixels, 1, mode, stats)
      const worst = cpu.reduce((m, v, i) => Math.max(m, Math.abs(v - gpu[i])), 0)
      expect(worst, mode).toBeLessThan(1e-5)
    }
  })
})
