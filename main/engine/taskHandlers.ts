/**
 * The engine worker's short tasks, one handler per kind of the protocol's task map: adding a kind
 * to `EngineTasks` without a handler here is a type error, and each handler's result type is the
 * one `engineHost.task()` promises its caller.
 */
import type { EngineTasks, TaskKind } from './engineMessages'
import { runExport } from './export/exportTask'
import {
  generateSamples,
  mapLatents,
  reconstructImages,
  scoreGenerator
} from './generative/generativeTasks'
import { runPredict } from './predict/predictTask'
import { runSaliency } from './explain/saliency'
import { runCounterfactual, runPrototypes, runTraversal } from './explain/generativeExplain'

type TaskHandlers = {
  [K in TaskKind]: (task: EngineTasks[K]['task']) => Promise<EngineTasks[K]['result']>
}

const taskHandlers: TaskHandlers = {
  generate: generateSamples,
  score: scoreGenerator,
  reconstruct: reconstructImages,
  latentMap: mapLatents,
  export: runExport,
  predict: runPredict,
  saliency: runSaliency,
  traversal: runTraversal,
  counterfactual: runCounterfactual,
  prototypes: runPrototypes
}

export function runTask<K extends TaskKind>(
  task: EngineTasks[K]['task'] & { kind: K }
): Promise<EngineTasks[K]['result']> {
  const handler: TaskHandlers[K] = taskHandlers[task.kind]
  return handler(task)
}
