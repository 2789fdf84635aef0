import { computed, onBeforeUnmount, ref, shallowRef } from 'vue'
import type { PredictReport, RequestArgs } from '../../../preload/contract'
import { client } from '../client'
import { upload, type PickedFile } from '../upload'

type PredictSource = RequestArgs<'predict/images'>['source']
export type PredictPhase = 'idle' | 'uploading' | 'predicting' | 'done' | 'failed'

/** Thousands of paths go in one request; the contract takes at most 10,000. */
const maxPaths = 10_000

/**
 * Predicting the classes of images the person brings, with a run's weights or an exported folder:
 * the phase, upload and elapsed-time counters shown meanwhile, and the report at the end.
 */
export function usePrediction(source: () => PredictSource, topK: () => number) {
  const phase = ref<PredictPhase>('idle')
  const uploaded = ref({ done: 0, total: 0 })
  const elapsed = ref(0)
  const report = shallowRef<PredictReport | null>(null)
  const error = ref<string | null>(null)
  /** Bumped per result, so the table starts over (its sort, filters and thumbnails). */
  const generation = ref(0)
  let timer: ReturnType<typeof setInterval> | undefined
  onBeforeUnmount(() => clearInterval(timer))

  const busy = computed(() => phase.value === 'uploading' || phase.value === 'predicting')

  async function predict(paths: string[]): Promise<void> {
    if (paths.length > maxPaths) {
      error.value = `That is ${paths.length.toLocaleString()} files: drop their folder instead (one request takes at most ${maxPaths.toLocaleString()} paths).`
      phase.value = 'failed'
      return
    }
    phase.value = 'predicting'
    error.value = null
    elapsed.value = 0
    const started = Date.now()
    timer = setInterval(() => (elapsed.value = Math.round((Date.now() - started) / 1000)), 500)
    try {
      report.value = await client.request('predict/images', {
        source: source(),
        paths,
        topK: topK()
      })
      generation.value++
      phase.value = 'done'
    } catch (e) {
      error.value = (e as Error).message
      phase.value = 'failed'
    } finally {
      clearInterval(timer)
    }
  }

  /**
   * Browser mode: the files go to the data directory first (as a dataset import's do), and are
   * removed once predicted: the reply carries what the model saw (thumbnails and paths).
   */
  async function uploadAndPredict(picked: { name: string; files: PickedFile[] }): Promise<void> {
    phase.value = 'uploading'
    error.value = null
    uploaded.value = { done: 0, total: picked.files.length }
    try {
      const folder = await upload(
        `predict ${picked.name}`.slice(0, 120),
        picked.files,
        (done, total) => (uploaded.value = { done, total })
      )
      try {
        await predict([folder])
      } finally {
        await client.request('uploads/discard', { path: folder }).catch(() => undefined)
      }
    } catch (e) {
      error.value = (e as Error).message
      phase.value = 'failed'
    }
  }

  return { phase, uploaded, elapsed, report, error, generation, busy, predict, uploadAndPredict }
}
