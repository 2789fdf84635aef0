/**
 * The model-randomisation test of Adebayo et al. (2018): every learnt weight tensor is redrawn
 * from a Gaussian with that tensor's own mean and standard deviation (seeded, one seed per
 * tensor), so activations keep their scale but the network forgets what it learnt. A saliency
 * method that explains the model must give a different map afterwards.
 */
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'

export function randomiseWeights(weights: tfl.LayerVariable[], seed: number): void {
  weights.forEach((weight, i) => {
    const fresh = tf.tidy(() => {
      const values = weight.read()
      const { mean, variance } = tf.moments(values)
      const std = Math.sqrt(variance.dataSync()[0])
      // A constant tensor (zero biases, unit BN scales) gets a small spread, so it changes too.
      const spread = std > 1e-6 ? std : 0.05 * Math.max(1, Math.abs(mean.dataSync()[0]))
      return tf.randomNormal(values.shape, mean.dataSync()[0], spread, 'float32', seed * 1009 + i)
    })
    weight.write(fresh)
    fresh.dispose()
  })
}
