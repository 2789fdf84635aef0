import { onBeforeUnmount, reactive } from 'vue'
import {
  isGenerative,
  type EventPayload,
  type GeneratorScores,
  type RunDetail
} from '../../../preload/contract'
import { useRunEventsStore } from '../stores/runEvents'
import { runRequests } from './runRequests'

/**
 * The runs of a compare tab, loaded and kept current: each run's record (or why it failed to
 * load) and, for generators, every stored measurement (which classifier took which FD).
 */
export function useComparedRuns(runIds: readonly number[]) {
  const loaded = reactive(new Map<number, RunDetail>())
  const failed = reactive(new Map<number, string>())
  const measurements = reactive(new Map<number, GeneratorScores[]>())
  // A run that reports while it is being fetched is fetched once more afterwards, not in parallel.
  const inFlight = new Set<number>()
  const stale = new Set<number>()

  async function load(id: number): Promise<void> {
    if (inFlight.has(id)) {
      stale.add(id)
      return
    }
    inFlight.add(id)
    try {
      const requests = runRequests(id)
      const run = await requests.get()
      if (isGenerative(run.recipe)) measurements.set(id, await requests.scores().catch(() => []))
      loaded.set(id, run)
      failed.delete(id)
    } catch (e) {
      failed.set(id, (e as Error).message)
      loaded.delete(id)
    } finally {
      inFlight.delete(id)
      if (stale.delete(id)) void load(id)
    }
  }
  const reload = (): void => runIds.forEach((id) => void load(id))
  reload()

  // Live: a compared run that ends an epoch or changes state is fetched again; between epochs its
  // step series grow from the progress events, drawn every couple of seconds rather than per event.
  const buffered = new Map<number, EventPayload<'train/progress'>[]>()
  const flush = setInterval(() => {
    for (const [id, events] of buffered) {
      const run = loaded.get(id)
      if (!run) continue
      for (const e of events)
        for (const [name, value] of Object.entries(e.metrics)) {
          const points = (run.metrics[name] ??= [])
          if ((points.at(-1)?.step ?? -1) < e.step)
            points.push({ step: e.step, epoch: e.epoch, value })
        }
    }
    buffered.clear()
  }, 2000)
  const unfollow = useRunEventsStore().follow(runIds, {
    'train/progress': (e) => buffered.set(e.runId, [...(buffered.get(e.runId) ?? []), e]),
    'train/epoch': (e) => void load(e.runId),
    'run/status': (e) => void load(e.runId)
  })
  onBeforeUnmount(() => {
    clearInterval(flush)
    unfollow()
  })

  return { loaded, failed, measurements, reload }
}
