/**
 * Measures the reference CNN (models/referenceCnn) on one tensor backend: training and inference
 * throughput, the measuring process's peak RSS, and whether the timed loops leak tensors.
 *
 * Every backend is measured in a process of its own (runCnnBenchInChild): the native TensorFlow
 * addon and the wasm backend register globally and cannot be unloaded, and peak RSS is only
 * meaningful for a process that ran one backend. The tensor library is imported lazily, so the CLI
 * process that orchestrates the children never loads it.
 */
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Scalar, Tensor, Tensor1D, Tensor4D } from '@tensorflow/tfjs-core'
import type { BackendName, GpuAdapterReport } from '../../preload/contract'
import { selectBackend } from '../engine/backendProbe'

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

/** Distinct training batches cycled through, so the steps do not see one batch over and over. */
const poolBatches = 8
const shape = { height: 28, width: 28, channels: 1, classes: 10 }

const peakRssMiB = (): number => process.resourceUsage().maxRSS / 1024

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/**
 * Measures the reference CNN on `options.backend` in THIS process, loading the backend through the
 * engine's own selection (selectBackend) so the code path is the app's. Call it once per process;
 * use runCnnBenchInChild from anywhere else. Never throws for a backend that fails to load or to
 * train: the failure is reported in the result.
 */
/** Timed training steps on a software WebGPU adapter (a token run: it shows the path works). */
export const softwareAdapterSteps = 3

export async function measureCnn(options: CnnBenchOptions): Promise<CnnBenchResult> {
  const status = await selectBackend(options.backend)
  const rung = status.rungs.find((r) => r.name === options.backend)
  // A software WebGPU adapter (SwiftShader) takes seconds per step: a few steps show it works;
  // its speed says nothing about a GPU.
  if (status.gpu?.software)
    options = {
      ...options,
      steps: Math.min(options.steps, softwareAdapterSteps),
      warmupSteps: 1,
      inferBatches: 1
    }
  const result: CnnBenchResult = {
    ...(status.gpu ? { adapter: status.gpu } : {}),
    backend: options.backend,
    package: rung?.package ?? options.backend,
    version: rung?.version,
    loaded: status.state === 'ready',
    threads: status.threads,
    steps: options.steps,
    warmupSteps: options.warmupSteps,
    batchSize: options.batchSize,
    inferBatchSize: options.inferBatchSize,
    inferBatches: options.inferBatches,
    trainImagesPerSecond: null,
    inferImagesPerSecond: null,
    finalLoss: null,
    leakedTensors: { train: null, infer: null },
    peakRssMiB: 0
  }
  if (status.state !== 'ready') {
    result.reason = rung?.reason ?? status.error ?? 'the backend did not load'
    result.peakRssMiB = peakRssMiB()
    return result
  }
  // Loaded only now, after selectBackend, so each backend's process loads only its own packages.
  const tf = await import('@tensorflow/tfjs-core')
  const { buildReferenceCnn, trainStep } = await import('../engine/models/referenceCnn')
  if (status.active === 'wasm') {
    // Stock wasm lacks Conv2DBackpropFilter; the engine worker registers these the same way.
    try {
      const { registerWasmTrainingKernels } = await import('../engine/wasmKernels')
      registerWasmTrainingKernels()
    } catch (error) {
      // Inference needs none of them, so it is still measured.
      result.trainError = `registering the wasm training kernels failed: ${message(error)}`
    }
  }

  // Uniform noise and random labels, like the PyTorch reference: the loss stays near ln 10, so no
  // backend gets tiny (denormal, slow on x86) gradients from a task it has already learnt.
  const samples = poolBatches * options.batchSize
  const { height, width, channels, classes } = shape
  const images = tf.randomUniform([samples, height, width, channels], 0, 1, 'float32', options.seed)
  const labels = tf.randomUniform([samples], 0, classes, 'int32', options.seed + 1)
  const batches = Array.from({ length: poolBatches }, (_, i) => ({
    x: tf.slice(
      images,
      [i * options.batchSize, 0, 0, 0],
      [options.batchSize, -1, -1, -1]
    ) as Tensor4D,
    y: tf.slice(labels, [i * options.batchSize], [options.batchSize]) as Tensor1D
  }))
  const inferInput = tf.randomUniform(
    [options.inferBatchSize, height, width, channels],
    0,
    1,
    'float32',
    options.seed + 2
  )
  const model = buildReferenceCnn(shape)
  const optimizer = tf.train.adam(1e-3)
  try {
    if (!result.trainError) {
      try {
        // Steps are queued back to back; reading the last loss waits for all of them, so the
        // time includes every step's work on any backend (a GPU runs ahead of the CPU).
        const run = async (from: number, count: number): Promise<number> => {
          let loss: Scalar | undefined
          for (let i = from; i < from + count; i++) {
            loss?.dispose()
            const { x, y } = batches[i % poolBatches]
            loss = trainStep(model, optimizer, x, y, classes)
          }
          const [value] = loss ? await loss.data() : [Number.NaN]
          loss?.dispose()
          return value
        }
        await run(0, options.warmupSteps)
        const before = tf.memory().numTensors
        const started = performance.now()
        const loss = await run(options.warmupSteps, options.steps)
        const seconds = (performance.now() - started) / 1000
        result.leakedTensors.train = tf.memory().numTensors - before
        result.trainImagesPerSecond = (options.steps * options.batchSize) / seconds
        result.finalLoss = loss
      } catch (error) {
        result.trainError = message(error)
      }
    }

    try {
      const predict = async (): Promise<void> => {
        const logits = model.predict(inferInput, { batchSize: options.inferBatchSize }) as Tensor
        // Reading the logits back makes the time include the whole forward pass.
        await logits.data()
        logits.dispose()
      }
      await predict() // warm-up
      const before = tf.memory().numTensors
      const started = performance.now()
      for (let i = 0; i < options.inferBatches; i++) await predict()
      const seconds = (performance.now() - started) / 1000
      result.leakedTensors.infer = tf.memory().numTensors - before
      result.inferImagesPerSecond = (options.inferBatches * options.inferBatchSize) / seconds
    } catch (error) {
      result.inferError = message(error)
    }
  } finally {
    model.dispose()
    optimizer.dispose()
    tf.dispose([images, labels, inferInput, ...batches.flatMap((b) => [b.x, b.y])])
  }
  result.peakRssMiB = peakRssMiB()
  return result
}

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
