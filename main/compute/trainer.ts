/**
 * The training loop that runs inside the engine worker. The step (models/referenceCnn trainStep)
 * does the maths; this loop owns batching, progress, pause/stop and the leak bookkeeping.
 */
import * as tf from '@tensorflow/tfjs-core'
import { buildReferenceCnn, trainStep } from '../models/referenceCnn'
import type { JobControl } from './jobControl'
import type { TrainProgress, TrainResult, TrainSpec } from './engineMessages'
import { datasetSource, syntheticSource, type BatchSource } from './batchSources'
import { seededRandom, shuffleInPlace } from '../datasets/splits'

export interface TrainHooks {
  onProgress(progress: TrainProgress): void
  onPause(): void
  onResume(): void
}

/** Progress is sent at most this often, so a fast backend does not flood the host. */
const progressIntervalMs = 250

export async function train(
  jobId: string,
  spec: TrainSpec,
  control: JobControl,
  hooks: TrainHooks
): Promise<TrainResult> {
  const source =
    spec.data.kind === 'synthetic'
      ? syntheticSource(spec.data, spec.seed)
      : datasetSource(spec.data, spec.seed)
  const model = buildReferenceCnn(spec.data, spec.seed)
  const optimizer = tf.train.adam(spec.learningRate)
  const random = seededRandom(spec.seed)
  const stepsPerEpoch = Math.ceil(source.trainIndices.length / spec.batchSize)
  const totalSteps = stepsPerEpoch * spec.epochs
  const tensorsPerEpoch: number[] = []
  const started = performance.now()
  let lastReport = 0
  let step = 0
  let loss = Number.NaN
  try {
    for (let epoch = 0; epoch < spec.epochs; epoch++) {
      const order = shuffleInPlace([...source.trainIndices], random)
      for (let b = 0; b < stepsPerEpoch; b++) {
        if (!(await control.checkpoint(hooks.onPause, hooks.onResume))) break
        const { x, y } = source.batch(
          order.slice(b * spec.batchSize, (b + 1) * spec.batchSize),
          step
        )
        loss = trainStep(model, optimizer, x, y, spec.data.classes)
        tf.dispose([x, y])
        step++
        const now = performance.now()
        if (now - lastReport > progressIntervalMs || step === totalSteps) {
          lastReport = now
          const perStep = (now - started) / step / 1000
          hooks.onProgress({
            jobId,
            epoch,
            step,
            totalSteps,
            loss,
            imagesPerSecond: spec.batchSize / perStep,
            etaSeconds: perStep * (totalSteps - step)
          })
        }
      }
      if (control.stopping) break
      tensorsPerEpoch.push(tf.memory().numTensors)
    }
    const accuracy = evaluate(model, source)
    return {
      jobId,
      status: control.stopping ? 'stopped' : 'completed',
      steps: step,
      finalLoss: loss,
      accuracy,
      tensorsPerEpoch,
      backend: tf.getBackend()
    }
  } finally {
    model.dispose()
    optimizer.dispose()
    source.dispose()
  }
}

/** Accuracy on the source's evaluation images, in chunks (no augmentation). */
function evaluate(model: ReturnType<typeof buildReferenceCnn>, source: BatchSource): number {
  let correct = 0
  for (let from = 0; from < source.evalIndices.length; from += 256) {
    const { x, y } = source.batch(source.evalIndices.slice(from, from + 256), -1)
    correct += tf.tidy(
      () =>
        tf
          .sum(tf.cast(tf.equal(tf.argMax(model.predict(x) as tf.Tensor2D, 1), y), 'int32'))
          .dataSync()[0]
    )
    tf.dispose([x, y])
  }
  return correct / Math.max(1, source.evalIndices.length)
}
