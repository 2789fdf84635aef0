/**
 * WGAN-GP differentiates a gradient. Its penalty's gradient with respect to the critic's weights
 * must match central differences, on every backend this machine has (cpu, and wasm with our own
 * training kernels), or the critic silently trains on a wrong objective.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import '@tensorflow/tfjs-core/dist/register_all_gradients'
import { describe, expect, it } from 'vitest'
import { registerWasmTrainingKernels } from '../../../../main/engine/wasmKernels'
import { buildHeads } from '../../../../main/engine/models/generative/networks'
import { gradientPenalty } from '../../../../main/engine/models/generative/wganGp'
import { registerSecondOrderGradients } from '../../../../main/engine/generative/secondOrderGradients'

describe('the gradient penalty', () => {
  it.each(['cpu', 'wasm'])('has the gradient central differences give, on %s', async (backend) => {
    await tf.setBackend(backend)
    if (backend === 'wasm') registerWasmTrainingKernels()
    registerSecondOrderGradients()
    const critic = buildHeads({ height: 12, width: 12, channels: 1 }, 0, 4, [1], 3)
    const real = tf.randomNormal([3, 12, 12, 1], 0, 1, 'float32', 1) as tf.Tensor4D
    const fake = tf.randomNormal([3, 12, 12, 1], 0, 1, 'float32', 2) as tf.Tensor4D
    const penalty = (): tf.Scalar => gradientPenalty(critic, real, fake, 7)
    const variables = critic.trainableWeights.map((w) => w.read() as tf.Variable)
    // Trained critics have weights far larger than DCGAN's N(0, 0.02) start. Larger weights also
    // keep pre-activations away from LeakyReLU's kink, where ∇ₓD (and so the penalty) jumps and
    // central differences would measure the jump instead of the derivative.
    for (const v of variables) v.assign(tf.mul(v, 25))
    const { value, grads } = tf.variableGrads(penalty, variables)
    expect(value.dataSync()[0]).toBeGreaterThan(0)
    let checked = 0
    // ∇ₓD does not depend on the output bias, so that alone has no gradient.
    expect(variables.filter((v) => !grads[v.name]).map((v) => v.name)).toEqual([
      variables.at(-1)!.name
    ])
    for (const v of variables.filter((w) => grads[w.name])) {
      const analytic = grads[v.name].dataSync()
      const original = v.dataSync().slice()
      // The largest gradient entries of each weight: the ones a wrong second derivative would bend.
      const largest = [...analytic.keys()]
        .sort((a, b) => Math.abs(analytic[b]) - Math.abs(analytic[a]))
        .slice(0, 3)
      for (const i of largest) {
        const eps = 2e-4 * Math.max(1, Math.abs(original[i]))
        const at = (delta: number): number => {
          const shifted = original.slice()
          shifted[i] += delta
          v.assign(tf.tensor(shifted, v.shape))
          return penalty().dataSync()[0]
        }
        const numeric = (at(eps) - at(-eps)) / (2 * eps)
        v.assign(tf.tensor(original, v.shape))
        expect(
          Math.abs(numeric - analytic[i]),
          `${v.name}[${i}]: ${analytic[i]} vs ${numeric}`
        ).toBeLessThan(2e-2 * Math.max(1e-2, Math.abs(analytic[i])))
        checked++
      }
    }
    expect(checked).toBeGreaterThanOrEqual(9)
    critic.dispose()
  })
})
