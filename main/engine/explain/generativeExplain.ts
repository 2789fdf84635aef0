/**
 * Explanations of generative models, in the engine worker: latent traversals ranked by KL per
 * dimension, counterfactuals of a conditional VAE, class prototypes of a conditional generator.
 * (Being built in the i20-generative branch.)
 */
import type {
  CounterfactualTask,
  CounterfactualTaskResult,
  PrototypeTask,
  PrototypeTaskResult,
  TraversalTask,
  TraversalTaskResult
} from '../engineMessages'

const notYet = (): never => {
  throw new Error('Not built yet.')
}

export const runTraversal = async (task: TraversalTask): Promise<TraversalTaskResult> =>
  notYet() && (task as never)
export const runCounterfactual = async (
  task: CounterfactualTask
): Promise<CounterfactualTaskResult> => notYet() && (task as never)
export const runPrototypes = async (task: PrototypeTask): Promise<PrototypeTaskResult> =>
  notYet() && (task as never)
