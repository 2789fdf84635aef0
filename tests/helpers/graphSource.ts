/**
 * Runs a recipe's after-training step (vae-graph's label propagation) on images held in one
 * tensor: the first `labelled` of them keep their label, the rest are the unlabelled nodes.
 * Recipes without one are left as they are.
 */
import * as tf from '@tensorflow/tfjs-core'
import type { BatchSource } from '../../main/engine/batchSources'
import type { GenerativeModel } from '../../main/engine/models/generative/recipe'

export async function propagateOn(
  model: GenerativeModel,
  x: tf.Tensor4D,
  labels: ArrayLike<number>,
  labelled: number
): Promise<void> {
  if (!model.afterTraining) return
  const all = Array.from({ length: x.shape[0] }, (_, i) => i)
  const source: BatchSource = {
    trainIndices: all,
    valIndices: [],
    evalIndices: [],
    labelOf: (i) => labels[i],
    batch: (indices) =>
      tf.tidy(() => ({
        x: tf.gather(x, indices) as tf.Tensor4D,
        y: tf.tensor1d(
          indices.map((i) => labels[i]),
          'int32'
        )
      })),
    dispose: () => {}
  }
  await model.afterTraining(source, all.slice(0, labelled))
}
