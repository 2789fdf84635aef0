import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'

/**
 * One explanation request at a time, as the panels make them: the latest answer, its error in
 * words, and whether one is being computed. A newer request supersedes an older one still in
 * flight (its answer is dropped), so quick changes of a control never show a stale map.
 */
export function useExplainRequest<T>(): {
  result: ShallowRef<T | null>
  error: Ref<string | null>
  busy: Ref<boolean>
  run(request: () => Promise<T>): Promise<void>
} {
  const result = shallowRef<T | null>(null) as ShallowRef<T | null>
  const error = ref<string | null>(null)
  const busy = ref(false)
  let generation = 0
  async function run(request: () => Promise<T>): Promise<void> {
    const mine = ++generation
    busy.value = true
    error.value = null
    try {
      const got = await request()
      if (mine === generation) result.value = got
    } catch (e) {
      if (mine === generation) {
        error.value = (e as Error).message
        result.value = null
      }
    } finally {
      if (mine === generation) busy.value = false
    }
  }
  return { result, error, busy, run }
}
