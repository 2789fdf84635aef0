import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { DatasetSummary, ExperimentSummary, RunSummary } from '../../../preload/contract'
import { client, websocketTransport } from '../client'

/** Datasets, experiments and runs as listed by the run store; refreshed when a run changes. */
export const useHistoryStore = defineStore('history', () => {
  const datasets = ref<DatasetSummary[]>([])
  const experiments = ref<ExperimentSummary[]>([])
  const runs = ref<RunSummary[]>([])
  const loaded = ref(false)
  const error = ref<string | null>(null)

  async function refresh(): Promise<void> {
    try {
      ;[datasets.value, experiments.value, runs.value] = await Promise.all([
        client.request('datasets/list'),
        client.request('experiments/list'),
        client.request('runs/list', { limit: 1000 })
      ])
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loaded.value = true
    }
  }

  client.on('run/status', () => void refresh())
  websocketTransport?.onConnectionChange((state) => state === 'open' && void refresh())
  if (client.transport === 'ipc') void refresh()

  return { datasets, experiments, runs, loaded, error, refresh }
})
