/**
 * Explanations of trained runs, host side: resolves the run's model and the image, asks the
 * engine, caches the answer, and shapes it for the contract. Saliency lives here; generative
 * explanations (traversals, counterfactuals, prototypes) in generativeExplainService.ts.
 */
import type { SaliencyReport, ValidArgs } from '../../preload/contract'
import type { EngineHost } from '../engine/engineHost'
import type { RunStore } from '../store/runStore'
import { ExplainCache } from './explainCache'
import { createGenerativeExplainService } from './generativeExplainService'

export interface ExplainServiceOptions {
  store: RunStore
  dataDir: string
  engine: () => EngineHost
}

export function createExplainService(options: ExplainServiceOptions) {
  const cache = new ExplainCache()
  return {
    async saliency(args: ValidArgs<'explain/saliency'>): Promise<SaliencyReport> {
      throw new Error(`Not built yet: ${args.method}`)
    },
    ...createGenerativeExplainService(options, cache)
  }
}
