/**
 * Gradients of gradients (WGAN-GP's penalty differentiates ∇ₓD(x) with respect to D's weights).
 * tfjs-core builds the gradient of LeakyReLU, ReLU and Step from comparisons (`greater`,
 * `where`), and comparisons have no registered gradient, so a second backward pass throws
 * "gradient function not found for Greater". A comparison's output is piecewise constant in its
 * inputs, so its true gradient is zero almost everywhere; registering that is exact, not a
 * workaround.
 */
import * as tf from '@tensorflow/tfjs-core'

const comparisons = ['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual']

let registered = false

export function registerSecondOrderGradients(): void {
  if (registered) return
  registered = true
  for (const kernelName of comparisons) {
    if (tf.getGradient(kernelName)) continue
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved as tf.Tensor[]
        return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) }
      }
    })
  }
}
