/**
 * The optimisers a run can use, behaving like their PyTorch namesakes: Adam, AdamW (decoupled
 * weight decay) and SGD with momentum (L2 weight decay). The learning rate is set at every step
 * (schedules), and the state round-trips through checkpoints.
 */
import * as tf from '@tensorflow/tfjs-core'

export interface OptimizerConfig {
  optimizer: 'adam' | 'adamw' | 'sgd'
  learningRate: number
  weightDecay: number
  momentum: number
  /** Adam's moment decays (default 0.9, 0.999; GANs use β1 = 0.5). */
  beta1?: number
  beta2?: number
}

export interface NamedTensor {
  name: string
  tensor: tf.Tensor
}

export interface TrainOptimizer {
  /** One step: gradients of loss() w.r.t. variables, applied at learningRate. Returns the loss (caller disposes). */
  step(loss: () => tf.Scalar, variables: tf.Variable[], learningRate: number): tf.Scalar
  /** Applies gradients computed elsewhere (several networks from one forward pass); disposes them. */
  apply(grads: tf.NamedTensorMap, learningRate: number): void
  /** Copies of the optimiser state for a checkpoint (the caller disposes them). */
  getState(): Promise<NamedTensor[]>
  setState(state: NamedTensor[]): Promise<void>
  dispose(): void
}

/** Adam's running products β1^t and β2^t (private fields of tfjs' AdamOptimizer). */
interface AdamPowers {
  accBeta1: tf.Variable
  accBeta2: tf.Variable
}
const adamPowerPrefix = 'adam-power/'

function adamPowers(optimizer: tf.Optimizer): AdamPowers | null {
  const fields = optimizer as unknown as Partial<AdamPowers>
  return fields.accBeta1 && fields.accBeta2
    ? { accBeta1: fields.accBeta1, accBeta2: fields.accBeta2 }
    : null
}

/** Weight decay applies to kernels only, not to biases or batch-norm scales and offsets. */
const decays = (v: tf.Variable): boolean => /kernel$/.test(v.name)

export function createOptimizer(config: OptimizerConfig): TrainOptimizer {
  // PyTorch's Adam epsilon (tfjs defaults to 1e-7), so both sides take the same steps.
  const optimizer: tf.Optimizer =
    config.optimizer === 'sgd'
      ? tf.train.momentum(config.learningRate, config.momentum)
      : tf.train.adam(config.learningRate, config.beta1 ?? 0.9, config.beta2 ?? 0.999, 1e-8)
  let current = config.learningRate
  const setLearningRate = (lr: number): void => {
    if (lr === current) return
    current = lr
    // Not `instanceof`: tfjs makes every optimiser an instance of every optimiser class.
    if (config.optimizer === 'sgd') (optimizer as tf.SGDOptimizer).setLearningRate(lr)
    // Adam reads this field on every update.
    else (optimizer as unknown as { learningRate: number }).learningRate = lr
  }
  const wd = config.weightDecay

  return {
    step(loss, variables, learningRate) {
      setLearningRate(learningRate)
      const { value, grads } = tf.variableGrads(loss, variables)
      if (wd > 0 && config.optimizer === 'sgd') {
        for (const v of variables.filter(decays)) {
          const g = grads[v.name]
          grads[v.name] = tf.tidy(() => tf.add(g, tf.mul(v, wd)))
          g.dispose()
        }
      }
      if (wd > 0 && config.optimizer === 'adamw') {
        // torch.optim.AdamW: w ← w·(1 − lr·wd), then the Adam update.
        tf.tidy(() => {
          for (const v of variables.filter(decays)) v.assign(tf.mul(v, 1 - learningRate * wd))
        })
      }
      optimizer.applyGradients(grads)
      tf.dispose(Object.values(grads))
      return value
    },
    apply(grads, learningRate) {
      setLearningRate(learningRate)
      optimizer.applyGradients(grads)
      tf.dispose(Object.values(grads))
    },
    async getState() {
      const weights = await optimizer.getWeights()
      // getWeights hands out the live accumulators (and a fresh iteration count): copy them.
      const state = weights.map((w) =>
        w.name === 'iter' ? w : { name: w.name, tensor: tf.clone(w.tensor) }
      )
      const powers = adamPowers(optimizer)
      if (powers)
        for (const [name, value] of Object.entries(powers))
          state.push({ name: `${adamPowerPrefix}${name}`, tensor: tf.clone(value) })
      return state
    },
    async setState(state) {
      // The optimiser makes its variables from these tensors (sharing their data), so copies keep
      // the caller's tensors its own to dispose.
      const powers = state.filter((w) => w.name.startsWith(adamPowerPrefix))
      const copies = state
        .filter((w) => !w.name.startsWith(adamPowerPrefix))
        .map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) }))
      await optimizer.setWeights(copies)
      tf.dispose(copies.map((w) => w.tensor))
      // tfjs recomputes β^t with pow(), which rounds differently from the step-by-step product
      // training keeps (on WebGPU, visibly): restore the exact values the checkpoint saved.
      const live = adamPowers(optimizer)
      for (const saved of powers)
        live?.[saved.name.slice(adamPowerPrefix.length) as keyof AdamPowers].assign(saved.tensor)
    },
    dispose: () => optimizer.dispose()
  }
}
