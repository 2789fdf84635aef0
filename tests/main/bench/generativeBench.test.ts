/**
 * `dgmw bench generative`: a token measurement through the real engine path, and the PyTorch
 * reference's script found and run (CI installs Debian's python3-torch; without torch the test
 * fails, never skips). Far too short for meaningful numbers, so nothing here asserts on speed.
 */
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  generativeBenchSpec,
  measureWorkbenchThroughput,
  runGenerativeTorch,
  warmupStepsFor
} from '../../../main/bench/generativeBench'
import { findTorchPython, referenceScript } from '../../../main/bench/pytorchReference'

const positiveFinite = (value: number | null | undefined): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value > 0

describe('generative training bench', () => {
  it('trains one epoch of synthetic 28×28×1 images with the recipe defaults and writes nothing', () => {
    const spec = generativeBenchSpec('dcgan', 640)
    expect(spec).toMatchObject({
      recipe: 'dcgan',
      data: { kind: 'squares', samples: 640, height: 28, width: 28, channels: 1 },
      config: { epochs: 1, batchSize: 64, width: 32, latentDim: 64, learningRate: 2e-4, beta1: 0.5 }
    })
    expect(spec.checkpointDir).toBeUndefined()
    expect(generativeBenchSpec('vae', 640).config).toMatchObject({
      latentDim: 16,
      width: 32,
      learningRate: 1e-3
    })
    expect([warmupStepsFor(2), warmupStepsFor(100), warmupStepsFor(300)]).toEqual([2, 10, 30])
  })

  it('measures a positive, finite DCGAN images/s through the engine worker', async () => {
    const result = await measureWorkbenchThroughput('dcgan', {
      steps: 3,
      warmupSteps: 1,
      backend: 'wasm',
      batchSize: 16
    })
    expect(result.backend).toBe('wasm')
    expect(positiveFinite(result.imagesPerSecond)).toBe(true)
    expect(positiveFinite(result.peakRssMiB)).toBe(true)
    expect(result.timedSteps + result.warmupSteps).toBe(4)
    expect(Number.isFinite(result.losses['d/loss'])).toBe(true)
    expect(Number.isFinite(result.losses['g/loss'])).toBe(true)
  }, 60_000)

  it('finds the PyTorch reference script and runs it with torch', () => {
    const script = referenceScript('dcgan_torch.py')
    expect(script).toMatch(/bench[/\\]reference[/\\]dcgan_torch\.py$/)
    expect(existsSync(script!)).toBe(true)
    const { python, tried } = findTorchPython()
    expect(
      python,
      `No Python here can import torch (${tried.join('; ')}): install Debian's python3-torch (apt-get install python3-torch) or set DGMW_PYTHON.`
    ).toBeDefined()
    const report = runGenerativeTorch(python!, script!, ['dcgan', 'vae'], {
      threads: 1,
      steps: 2,
      warmupSteps: 1,
      batchSize: 16
    })
    if ('error' in report) throw new Error(report.error)
    expect(report).toMatchObject({ threads: 1, steps: 2, warmupSteps: 1, batchSize: 16 })
    expect(positiveFinite(report.models.dcgan?.imagesPerSecond)).toBe(true)
    expect(report.models.dcgan?.timedSteps).toBe(2)
    expect(positiveFinite(report.models.vae?.imagesPerSecond)).toBe(true)
    expect(Number.isFinite(report.models.vae?.losses.loss)).toBe(true)
  }, 60_000)
})
