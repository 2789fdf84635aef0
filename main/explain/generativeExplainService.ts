/**
 * Host side of generative explanations: latent traversals, counterfactuals, class prototypes.
 * (Being built in the i20-generative branch.)
 */
import type {
  CounterfactualReport,
  LatentTraversal,
  PrototypeReport,
  ValidArgs
} from '../../preload/contract'
import type { ExplainServiceOptions } from './explainParts'
import type { ExplainCache } from './explainCache'

export function createGenerativeExplainService(
  options: ExplainServiceOptions,
  cache: ExplainCache
) {
  void options
  void cache
  const notYet = (): never => {
    throw new Error('Not built yet.')
  }
  return {
    traversals: async (args: ValidArgs<'explain/traversals'>): Promise<LatentTraversal> =>
      notYet() && (args as never),
    counterfactuals: async (
      args: ValidArgs<'explain/counterfactuals'>
    ): Promise<CounterfactualReport> => notYet() && (args as never),
    prototypes: async (args: ValidArgs<'explain/prototypes'>): Promise<PrototypeReport> =>
      notYet() && (args as never)
  }
}
