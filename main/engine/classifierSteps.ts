/**
 * The maths of one classifier step and of evaluation, kept apart from the loop (trainer.ts) that
 * owns epochs, checkpoints and messages.
 */
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { BatchSource } from './batchSources'
import type { EvaluatedImages } from './engineMessages'
import type { TrainOptimizer } from './optimizers'

/**
 * Mean softmax cross-entropy; with class weights, weighted like PyTorch's CrossEntropyLoss(weight=…):
 * Σ w[yᵢ]·ceᵢ / Σ w[yᵢ].
 */
export function crossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  classes: number,
  classWeights: tf.Tensor1D | null
): tf.Scalar {
  return tf.tidy(() => {
    const perImage = tf.losses.softmaxCrossEntropy(
      tf.oneHot(labels, classes),
      logits,
      undefined,
      undefined,
      tf.Reduction.NONE
    ) as tf.Tensor1D
    if (!classWeights) return tf.mean(perImage) as tf.Scalar
    const weights = tf.gather(classWeights, labels)
    return tf.div(tf.sum(tf.mul(perImage, weights)), tf.sum(weights)) as tf.Scalar
  })
}

/** Inverse-frequency weights over the training images, normalised to mean 1 over the classes present. */
export function inverseFrequencyWeights(labels: number[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0)
  for (const label of labels) counts[label]++
  const present = counts.filter((c) => c > 0).length
  return counts.map((c) => (c > 0 ? labels.length / (present * c) : 0))
}

/**
 * One optimiser step. Returns, still on the device, [loss, images the model got right]: the loop
 * reads them back in groups (lossReadback.ts) so a GPU never waits for the CPU. Caller disposes.
 */
export function classifierStep(
  model: tfl.LayersModel,
  optimizer: TrainOptimizer,
  variables: tf.Variable[],
  batch: { x: tf.Tensor4D; y: tf.Tensor1D },
  classes: number,
  classWeights: tf.Tensor1D | null,
  learningRate: number
): tf.Tensor1D {
  let correct: tf.Tensor | undefined
  const loss = optimizer.step(
    () => {
      const logits = model.apply(batch.x, { training: true }) as tf.Tensor2D
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), batch.y), 'int32')))
      return crossEntropy(logits, batch.y, classes, classWeights)
    },
    variables,
    learningRate
  )
  const both = tf.tidy(() => tf.stack([loss, tf.cast(correct!, 'float32')]) as tf.Tensor1D)
  tf.dispose([loss, correct!])
  return both
}

/** Predicts every given image in chunks (no augmentation): class, its probability, and the mean loss. */
export async function evaluateImages(
  model: tfl.LayersModel,
  source: BatchSource,
  indices: number[],
  classes: number,
  chunk = 500
): Promise<EvaluatedImages & { accuracy: number }> {
  const predicted: number[] = []
  const confidence: number[] = []
  let lossSum = 0
  let correct = 0
  for (let from = 0; from < indices.length; from += chunk) {
    const part = indices.slice(from, from + chunk)
    const batch = source.batch(part, -1)
    const [best, probability, loss] = tf.tidy(() => {
      const logits = model.predict(batch.x) as tf.Tensor2D
      const probabilities = tf.softmax(logits)
      return [
        tf.argMax(logits, 1),
        tf.max(probabilities, 1),
        tf.mul(crossEntropy(logits, batch.y, classes, null), part.length)
      ]
    })
    const [classOf, probabilityOf, [chunkLoss]] = await Promise.all([
      best.data(),
      probability.data(),
      loss.data()
    ])
    lossSum += chunkLoss
    part.forEach((index, k) => {
      predicted.push(classOf[k])
      confidence.push(Math.min(1, Math.max(0, probabilityOf[k])))
      if (classOf[k] === source.labelOf(index)) correct++
    })
    tf.dispose([best, probability, loss, batch.x, batch.y])
  }
  const count = Math.max(1, indices.length)
  return {
    indices,
    predicted,
    confidence,
    loss: lossSum / count,
    accuracy: correct / count
  }
}
