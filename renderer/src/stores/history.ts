import { defineStore } from 'pinia'
import { ref } from 'vue'
import type {
  DatasetSummary,
  EventPayload,
  ExperimentSummary,
  RunSummary
} from '../../../preload/contract'
import { client, websocketTransport } from '../client'
import { headlineFromEpoch } from '../runFilters'
import { useRunEventsStore } from './runEvents'

/** Enough for any real history; the table virtualises its rows, so the cost is the transfer. */
const runLimit = 100_000

/** Datasets, experiments and runs as listed by the run store; refreshed when a run changes. */
export const useHistoryStore = defineStore('history', () => {
  const datasets = ref<DatasetSummary[]>([])
  const experiments = ref<ExperimentSummary[]>([])
  const runs = ref<RunSummary[]>([])
  const loaded = ref(false)
  const error = ref<string | null>(null)

  // A burst of status events (a queue of runs finishing) costs one more refresh, not one each; a
  // caller that asks during a refresh waits for the next one, which sees its change.
  let current: Promise<void> | null = null
  let queued: Promise<void> | null = null

  async function load(): Promise<void> {
    try {
      ;[datasets.value, experiments.value, runs.value] = await Promise.all([
        client.request('datasets/list'),
        client.request('experiments/list'),
        client.request('runs/list', { limit: runLimit })
      ])
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loaded.value = true
    }
  }

  function refresh(): Promise<void> {
    if (!current) {
      current = load().finally(() => (current = null))
      return current
    }
    queued ??= current.then(() => {
      queued = null
      return refresh()
    })
    return queued
  }

  /** Epoch ends patch the run's numbers in place: no list refetch a few times a minute per run. */
  function patchHeadline(event: EventPayload<'train/epoch'>): void {
    const run = runs.value.find((r) => r.id === event.runId)
    if (run) run.headline = { ...run.headline, ...headlineFromEpoch(event) }
  }

  /**
   * A run's planned epochs reach its headline only at its first epoch end; the progress events
   * carry them from the first step, so "0/5" shows instead of "—" meanwhile. Only written once.
   */
  function notePlannedEpochs(event: EventPayload<'train/progress'>): void {
    const run = runs.value.find((r) => r.id === event.runId)
    if (run && run.headline.epochs === undefined)
      run.headline = { epochsDone: event.epoch, ...run.headline, epochs: event.epochs }
  }

  useRunEventsStore().follow('all', {
    'run/status': () => void refresh(),
    'train/epoch': patchHeadline,
    'train/progress': notePlannedEpochs
  })
  // Another process (the CLI, a second server) added, renamed or deleted datasets or runs.
  client.on('history/changed', () => void refresh())
  websocketTransport?.onConnectionChange((state) => state === 'open' && void refresh())
  if (client.transport === 'ipc') void refresh()

  return { datasets, experiments, runs, loaded, error, refresh }
})
