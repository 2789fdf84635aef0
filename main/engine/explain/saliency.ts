/**
 * Saliency maps, in the engine worker. (Being built on main.)
 */
import type { SaliencyTask, SaliencyTaskResult } from '../engineMessages'

export const runSaliency = async (task: SaliencyTask): Promise<SaliencyTaskResult> => {
  throw new Error(`Not built yet: ${task.method}`)
}
