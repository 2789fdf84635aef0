/**
 * What a generative run watches besides its losses: how varied the timelapse samples are, and
 * the warnings an epoch earns (a discriminator that wins too fast, collapsing sample diversity).
 */
import * as tf from '@tensorflow/tfjs-core'

/**
 * Mean L2 distance between pairs of grid samples (pixels in [0, 1]): falls towards 0 when the
 * generator collapses onto a few modes, whatever the noise.
 */
export async function meanPairwiseDistance(images: tf.Tensor4D): Promise<number> {
  const mean = tf.tidy(() => {
    const n = images.shape[0]
    const flat = tf.reshape(images, [n, -1])
    const squares = tf.sum(tf.square(flat), 1, true)
    const d2 = tf.relu(
      tf.sub(tf.add(squares, tf.transpose(squares)), tf.mul(2, tf.matMul(flat, flat, false, true)))
    )
    return tf.div(tf.sum(tf.sqrt(d2)), n * (n - 1))
  })
  const [value] = await mean.data()
  mean.dispose()
  return value
}

/** What a researcher should hear about this epoch (each warning says what to try). */
export function epochWarnings(
  recipe: string,
  metrics: Record<string, number>,
  diversity: number,
  peakDiversity: number,
  epoch: number
): string[] {
  const out: string[] = []
  const dLoss = metrics['train/d/loss']
  if (['dcgan', 'cgan', 'vaegan'].includes(recipe) && dLoss !== undefined && dLoss < 0.05)
    out.push(
      `Epoch ${epoch + 1}: the discriminator is winning (its loss ${dLoss.toFixed(3)} is near 0), so the ` +
        'generator gets little gradient. Try label smoothing 0.1, instance noise 0.1, a lower discriminator learning rate, or WGAN-GP.'
    )
  if (epoch >= 1 && peakDiversity > 0 && diversity < 0.4 * peakDiversity)
    out.push(
      `Epoch ${epoch + 1}: sample diversity fell to ${Math.round((diversity / peakDiversity) * 100)}% of its peak — ` +
        'a sign of mode collapse. Try a lower generator learning rate, instance noise, or WGAN-GP.'
    )
  return out
}
