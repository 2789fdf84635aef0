import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCnnBenchInChild, type CnnBenchOptions } from '../../../main/bench/cnnBench'
import type { BenchReport } from '../../../main/cli/commands/bench/backends'
import {
  expectAdapterReport,
  noAdapterAdvice,
  useWebgpuForTests
} from '../../helpers/webgpuAdapter'

// A token run: enough to exercise the whole measurement, far too short for meaningful numbers, so
// nothing here asserts on speed.
const tiny: Omit<CnnBenchOptions, 'backend'> = {
  steps: 2,
  warmupSteps: 1,
  batchSize: 64,
  inferBatchSize: 64,
  inferBatches: 2,
  seed: 3
}

const positiveFinite = (value: number | null): boolean =>
  value !== null && Number.isFinite(value) && value > 0

describe('reference CNN bench', () => {
  it('measures the wasm backend in a child process: throughput, peak RSS, no leaked tensors', async () => {
    const result = await runCnnBenchInChild({ ...tiny, backend: 'wasm' })
    expect(result).toMatchObject({
      backend: 'wasm',
      package: '@tensorflow/tfjs-backend-wasm',
      loaded: true,
      steps: 2,
      warmupSteps: 1,
      batchSize: 64,
      inferBatchSize: 64,
      leakedTensors: { train: 0, infer: 0 }
    })
    expect(result.trainError).toBeUndefined()
    expect(result.inferError).toBeUndefined()
    expect(positiveFinite(result.trainImagesPerSecond)).toBe(true)
    expect(positiveFinite(result.inferImagesPerSecond)).toBe(true)
    expect(positiveFinite(result.peakRssMiB)).toBe(true)
    expect(Number.isFinite(result.finalLoss)).toBe(true)
    expect(result.threads).toBeGreaterThanOrEqual(1)
    // It travels as JSON (IPC, --json), so it must survive the round trip unchanged.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result)
  }, 120_000)

  it('measures WebGPU with the adapter it ran on (few steps on a software adapter)', async () => {
    useWebgpuForTests()
    const result = await runCnnBenchInChild({
      ...tiny,
      steps: 5,
      batchSize: 8,
      inferBatchSize: 8,
      backend: 'webgpu'
    })
    expect(result.loaded, `${result.reason ?? ''} ${noAdapterAdvice}`).toBe(true)
    expectAdapterReport(result.adapter)
    expect(result.leakedTensors).toEqual({ train: 0, infer: 0 })
    expect(positiveFinite(result.trainImagesPerSecond)).toBe(true)
    expect(positiveFinite(result.inferImagesPerSecond)).toBe(true)
    expect(Number.isFinite(result.finalLoss)).toBe(true)
    // SwiftShader's speed says nothing about a GPU: a software adapter gets a token run.
    expect(result.steps).toBe(result.adapter?.software ? 3 : 5)
  }, 300_000)

  it('reports a backend that cannot load instead of failing', async () => {
    // Where tfjs-node-gpu and CUDA really are installed this backend loads; then there is nothing
    // to check here.
    const result = await runCnnBenchInChild({ ...tiny, backend: 'tensorflow-gpu' })
    if (result.loaded) return
    expect(result.reason).toMatch(/\S/)
    expect(result.trainImagesPerSecond).toBeNull()
    expect(result.inferImagesPerSecond).toBeNull()
  }, 60_000)

  it('`dgmw bench --json` prints one document with machine, results, reference and targets', () => {
    // The built command, as a user runs it (the global setup builds out/ when it is stale).
    const bin = join(__dirname, '../../../bin/dgmw.cjs')
    const run = spawnSync(
      process.execPath,
      [bin, 'bench', '--backend', 'wasm', '--steps', '2', '--json'],
      { encoding: 'utf8', env: { ...process.env, DGMW_BACKEND: '' }, timeout: 120_000 }
    )
    expect(run.status, run.stderr).toBe(0)
    const report = JSON.parse(run.stdout) as BenchReport
    expect(report.machine).toMatchObject({
      cpu: expect.any(String),
      threads: expect.any(Number),
      node: process.version,
      date: expect.any(String)
    })
    expect(report.targets).toEqual({ train: 1.0, infer: 1.5 })
    expect(report.results).toHaveLength(1)
    expect(report.results[0]).toMatchObject({
      backend: 'wasm',
      loaded: true,
      leakedTensors: { train: 0, infer: 0 }
    })
    // The PyTorch reference is there only where a Python with torch is; either way it is explained.
    if (report.reference) {
      expect(positiveFinite(report.reference.trainImagesPerSecond)).toBe(true)
      expect(positiveFinite(report.reference.inferImagesPerSecond)).toBe(true)
      expect(report.reference.threads).toBe(report.machine.threads)
      expect(positiveFinite(report.results[0].vsPyTorch.train)).toBe(true)
    } else {
      expect(report.referenceError).toMatch(/\S/)
      expect(report.results[0].vsPyTorch).toEqual({ train: null, infer: null })
    }
  }, 120_000)
})
