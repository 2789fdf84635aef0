/**
 * The training loop that runs inside the engine worker. The step (models/referenceCnn trainStep)
 * does the maths; this loop owns batching, progress, pause/stop and the leak bookkeeping.
 */
import * as tf from '@tensorflow/tfjs-core'
import { buildReferenceCnn, trainStep } from '../models/referenceCnn'
import type { JobControl } from './jobControl'
import type { TrainProgress, TrainResult, TrainSpec } from './engineMessages'
import { syntheticImages } from './syntheticData'

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
  tf.util.assert(spec.data.kind === 'synthetic', () => `Unknown data source ${spec.data.kind}`)
  const { images, labels } = syntheticImages(spec.data.samples, spec.data, spec.seed)
  const model = buildReferenceCnn(spec.data)
  const optimizer = tf.train.adam(spec.learningRate)
  const stepsPerEpoch = Math.ceil(spec.data.samples / spec.batchSize)
  const totalSteps = stepsPerEpoch * spec.epochs
  const tensorsPerEpoch: number[] = []
  const started = performance.now()
  let lastReport = 0
  let step = 0
  let loss = Number.NaN
  try {
    for (let epoch = 0; epoch < spec.epochs; epoch++) {
      for (let b = 0; b < stepsPerEpoch; b++) {
        if (!(await control.checkpoint(hooks.onPause, hooks.onResume))) break
        const from = b * spec.batchSize
        const size = Math.min(spec.batchSize, spec.data.samples - from)
        const x = tf.slice(images, [from, 0, 0, 0], [size, -1, -1, -1])
        const y = tf.slice(labels, [from], [size])
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
    const accuracy = tf.tidy(() => {
      const predicted = tf.argMax(model.predict(images, { batchSize: 256 }) as tf.Tensor2D, 1)
      return tf.mean(tf.cast(tf.equal(predicted, labels), 'float32')).dataSync()[0]
    })
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
    tf.dispose([images, labels])
  }
}
