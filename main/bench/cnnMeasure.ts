/**
 * The bench child's measurement of the reference CNN on one backend (benchWorker runs it): it loads
 * the backend through the engine's own selection, so only the child ever holds a tensor library.
 */
import type { Scalar, Tensor, Tensor1D, Tensor4D } from '@tensorflow/tfjs-core'
import { selectBackend } from '../engine/backendProbe'
import { softwareAdapterSteps, type CnnBenchOptions, type CnnBenchResult } from './cnnBench'

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
