/**
 * The model-randomisation test of Adebayo et al. (2018): every learnt weight tensor is redrawn
 * from a Gaussian with that tensor's own mean and standard deviation (seeded, one seed per
 * tensor), so activations keep their scale but the network forgets what it learnt. A saliency
 * method that explains the model must give a different map afterwards. The statistics are read
 * back in one asynchronous read (a synchronous one needs a canvas on the WebGPU backend).
 */
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'

export async function randomiseWeights(weights: tfl.LayerVariable[], seed: number): Promise<void> {
  if (weights.length === 0) return
  const moments = tf.tidy(() =>
    tf.stack(
      weights.map((weight) => {
        const { mean, variance } = tf.moments(weight.read())
        return tf.stack([mean, variance])
      })
    )
  )
  const stats = await moments.data()
  moments.dispose()
  weights.forEach((weight, i) => {
    const mean = stats[2 * i]
    const std = Math.sqrt(stats[2 * i + 1])
    // A constant tensor (zero biases, unit BN scales) gets a small spread, so it changes too.
    const spread = std > 1e-6 ? std : 0.05 * Math.max(1, Math.abs(mean))
    const fresh = tf.randomNormal(
      weight.shape as number[],
      mean,
      spread,
      'float32',
      seed * 1009 + i
    )
    weight.write(fresh)
    fresh.dispose()
  })
}
