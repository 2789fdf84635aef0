import {
  computed,
  inject,
  onBeforeUnmount,
  onMounted,
  provide,
  ref,
  shallowRef,
  type InjectionKey
} from 'vue'
import {
  classifyingRecipes,
  isGenerative,
  type Evaluation,
  type RunDetail,
  type SampleGridInfo
} from '../../../preload/contract'
import { LiveSeries } from '../runLive'
import { useLiveStore } from '../stores/live'
import { useRunEventsStore } from '../stores/runEvents'
import { runRequests } from './runRequests'

/** A new frame of the run's sample-grid timelapse. */
type SampleGridListener = (frame: SampleGridInfo) => void

const runKey: InjectionKey<RunHandle> = Symbol('run')

/**
 * One run as its tab shows it: the stored record and evaluation, the metric series growing from
 * live events, the latest progress, and the run's commands. The run tab calls it once and its
 * children share it (`useRunContext`), so the run's events are followed in one place per tab.
 */
export function useRun(runId: number) {
  const live = useLiveStore()
  const requests = runRequests(runId)
  const run = ref<RunDetail | null>(null)
  const evaluation = ref<Evaluation | null>(null)
  const error = ref<string | null>(null)

  // Live events mutate the series in place; the charts redraw at most four times a second, so a
  // fast run streaming many events a second never floods the renderer.
  const series = shallowRef(new LiveSeries({}))
  const version = ref(0)
  let dirty = false
  const flush = setInterval(() => {
    if (dirty) {
      dirty = false
      version.value++
    }
  }, 250)

  /**
   * The run's row again without touching the live series: a generative run's headline (warnings,
   * epochs done) and its first checkpoint change at every epoch's end, mid-run.
   */
  async function refreshDetail(): Promise<void> {
    try {
      const detail = await requests.get()
      if (run.value?.id === detail.id) run.value = detail
    } catch {
      // The next status event reloads everything anyway.
    }
  }

  async function load(): Promise<void> {
    try {
      const detail = await requests.get()
      run.value = detail
      series.value = new LiveSeries(detail.metrics)
      version.value++
      // Pure generators are measured by their scores; every recipe that classifies (SGAN, ACGAN,
      // the generative Bayes classifier too) ends with a test-split evaluation.
      evaluation.value = classifyingRecipes.includes(detail.recipe)
        ? await requests.evaluation()
        : null
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  async function reloadEvaluation(): Promise<void> {
    evaluation.value = await requests.evaluation()
  }

  // The timelapse adds each new grid as a frame; it listens here rather than to the client.
  const gridListeners = new Set<SampleGridListener>()
  function onSampleGrid(listener: SampleGridListener): () => void {
    gridListeners.add(listener)
    return () => gridListeners.delete(listener)
  }

  const unfollow = useRunEventsStore().follow(runId, {
    'train/progress': (p) => {
      series.value.addProgress(p)
      dirty = true
    },
    'train/epoch': (e) => {
      series.value.addEpoch(e)
      dirty = true
      if (run.value && isGenerative(run.value.recipe)) void refreshDetail()
    },
    'run/sampleGrid': (g) => {
      series.value.addSampleGrid(g)
      dirty = true
      for (const listener of gridListeners) listener(g)
    },
    'run/status': () => void load()
  })
  onMounted(load)
  onBeforeUnmount(() => {
    clearInterval(flush)
    unfollow()
  })

  const handle = {
    run,
    evaluation,
    error,
    series,
    version,
    /** The latest progress event while the run trains (null before the first and after the end). */
    progress: computed(() => live.progress.get(runId) ?? null),
    load,
    reloadEvaluation,
    onSampleGrid,
    requests
  }
  provide(runKey, handle)
  return handle
}

export type RunHandle = ReturnType<typeof useRun>

/** The run of the enclosing run tab (see `useRun`). */
export function useRunContext(): RunHandle {
  const handle = inject(runKey)
  if (!handle) throw new Error('useRunContext() needs a run tab (useRun) above it')
  return handle
}
