import { onBeforeUnmount, ref, shallowRef } from 'vue'
import type { LabelBudgetResult } from '../../../preload/contract'
import { client } from '../client'
import { hasRun } from '../labelBudget'
import { useRunEventsStore } from '../stores/runEvents'

/** A queue of short runs ends several a second: one reload after the burst, not one each. */
const debounceMs = 400

/**
 * A label-budget experiment's result, reloaded (debounced) whenever one of its runs changes
 * status; the chart and table redraw from it.
 */
export function useLabelBudgetResult(experimentId: number) {
  const result = shallowRef<LabelBudgetResult | null>(null)
  const error = ref<string | null>(null)
  let timer: ReturnType<typeof setTimeout> | undefined

  async function load(): Promise<void> {
    try {
      result.value = await client.request('experiments/labelBudgetResult', { id: experimentId })
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  function reloadSoon(): void {
    clearTimeout(timer)
    timer = setTimeout(() => void load(), debounceMs)
  }

  const off = useRunEventsStore().follow('all', {
    'run/status': (event) => {
      // Before the first answer every event may matter; after it, only this experiment's runs.
      if (!result.value || hasRun(result.value, event.runId)) reloadSoon()
    }
  })
  onBeforeUnmount(() => {
    off()
    clearTimeout(timer)
  })
  void load()

  return { result, error, reload: load }
}
