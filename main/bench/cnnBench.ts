/**
 * Measures the reference CNN (models/referenceCnn) on one tensor backend: training and inference
 * throughput, the measuring process's peak RSS, and whether the timed loops leak tensors.
 *
 * Every backend is measured in a process of its own (runCnnBenchInChild): the native TensorFlow
 * addon and the wasm backend register globally and cannot be unloaded, and peak RSS is only
 * meaningful for a process that ran one backend. The measurement itself (cnnMeasure) runs only in
 * the child, so the CLI process that orchestrates the children never loads a tensor library.
 */
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { BackendName, GpuAdapterReport } from '../../preload/contract'

/** What one measurement runs. Defaults (see cnnBenchDefaults) match the PyTorch reference. */
export interface CnnBenchOptions {
  backend: BackendName
  /** Timed training steps of one batch each. */
  steps: number
  /** Untimed training steps first (kernel compilation, Adam's slot variables, allocator growth). */
  warmupSteps: number
  /** Training batch size. */
  batchSize: number
  /** Images per model.predict batch. */
  inferBatchSize: number
  /** Timed inference batches. */
  inferBatches: number
  seed: number
}

/** One backend's measurement; `loaded: false` means the backend could not be used here. */
export interface CnnBenchResult {
  backend: BackendName
  package: string
  version?: string
  loaded: boolean
  /** Why the backend did not load (only when `loaded` is false). */
  reason?: string
  /** Threads the backend computes with (what it reports; 1 for the pure-JS cpu backend). */
  threads: number
  /** The GPU adapter the `webgpu` backend ran on. */
  adapter?: GpuAdapterReport
  steps: number
  warmupSteps: number
  batchSize: number
  inferBatchSize: number
  inferBatches: number
  /** Training throughput; null when training failed (see trainError). */
  trainImagesPerSecond: number | null
  /** Inference throughput; null when inference failed (see inferError). */
  inferImagesPerSecond: number | null
  /** Loss after the last timed step, as a sanity check that training ran. */
  finalLoss: number | null
  /** Tensors alive after each timed loop minus before it; anything but 0 is a leak. */
  leakedTensors: { train: number | null; infer: number | null }
  /** Max RSS of the measuring process, MiB. */
  peakRssMiB: number
  trainError?: string
  inferError?: string
}

export const cnnBenchDefaults: Omit<CnnBenchOptions, 'backend'> = {
  steps: 100,
  warmupSteps: 5,
  batchSize: 64,
  inferBatchSize: 256,
  inferBatches: 25,
  seed: 1
}

/** Timed training steps on a software WebGPU adapter (a token run: it shows the path works). */
export const softwareAdapterSteps = 3

/** Messages from the bench child to its parent. */
export type BenchChildMessage =
  { type: 'result'; result: CnnBenchResult } | { type: 'error'; error: string }

/**
 * Starts the bench child. The built benchWorker.js sits beside the built CLI (out/main); under
 * tests, where only the TypeScript source exists, tsx is preloaded to run benchWorker.ts.
 */
function spawnBenchChild(options: CnnBenchOptions): ChildProcess {
  const args = [JSON.stringify(options)]
  // stdout is piped, not inherited: tfjs prints notices there, and `dgmw bench --json` must keep
  // stdout for its one JSON document.
  const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', 'ipc']
  const built = join(__dirname, 'benchWorker.js')
  if (existsSync(built)) return fork(built, args, { execArgv: [], stdio })
  // tsx's full loader, not just tsx/cjs: measureCnn's lazy import() of our own modules goes through
  // Node's ESM loader, which only the ESM half of tsx teaches to read TypeScript.
  const tsx = pathToFileURL(createRequire(__filename).resolve('tsx')).href
  return fork(join(__dirname, 'benchWorker.ts'), args, { execArgv: ['--import', tsx], stdio })
}

/**
 * Measures one backend in a child process of its own and resolves with its result. Rejects only
 * when the child dies without a result (crash, out of memory, killed), with its output's tail.
 */
export function runCnnBenchInChild(options: CnnBenchOptions): Promise<CnnBenchResult> {
  return new Promise((resolve, reject) => {
    const child = spawnBenchChild(options)
    let output = ''
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000)
    }
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    let reply: BenchChildMessage | undefined
    child.on('message', (m: BenchChildMessage) => (reply = m))
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (reply?.type === 'result') return resolve(reply.result)
      const why =
        reply?.type === 'error'
          ? reply.error
          : `the ${options.backend} bench process exited (${signal ?? `code ${code}`}) without a result`
      const tail = output.trim().split('\n').slice(-15).join('\n')
      reject(new Error(tail ? `${why}\n${tail}` : why))
    })
  })
}
