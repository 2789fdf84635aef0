import type { RunRecordOf } from '../../main/store/runRepository'
import type { RunStore } from '../../main/store/runStore'

/** A stored augment, cas or self-train run, typed as `syntheticSpec` takes it. */
export function syntheticRun(store: RunStore, id: number): RunRecordOf<'synthetic'> {
  const run = store.runs.get(id)
  if (run.family !== 'synthetic') throw new Error(`Run ${id} is a ${run.recipe} run.`)
  return run
}
