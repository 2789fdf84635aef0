import { reactive, ref, watch } from 'vue'
import type { Augmentation } from '../../../preload/contract'
import { client } from '../client'
import { toRgba } from './useDatasetImages'

/** Augmented copies shown beside each original. */
const copies = 7

/**
 * A few of a dataset's images beside augmented copies of them, redrawn as the settings or the
 * seed change: the settings start at the recipe's usual ones.
 */
export function useAugmentPreview(datasetId: () => number, classNames: () => string[]) {
  const settings = reactive<Augmentation>({
    flip: true,
    cropPadding: 2,
    rotateDegrees: 10,
    brightness: 0.1,
    contrast: 0.1,
    cutout: 0
  })
  const seed = ref(0)
  /** One row per image: the original, then its copies. */
  const rows = ref<Uint8ClampedArray[][]>([])
  /** The class of each row's image (one image of each of several classes). */
  const rowLabels = ref<(string | null)[]>([])
  const size = ref({ width: 0, height: 0 })
  const error = ref<string | null>(null)

  async function load(): Promise<void> {
    try {
      const got = await client.request('datasets/augmentPreview', {
        id: datasetId(),
        augmentation: { ...settings },
        copies,
        images: 6,
        seed: seed.value
      })
      const images = toRgba(
        got.data,
        got.indices.length * (copies + 1),
        got.width,
        got.height,
        got.channels
      )
      size.value = { width: got.width, height: got.height }
      rows.value = got.indices.map((_, k) => images.slice(k * (copies + 1), (k + 1) * (copies + 1)))
      rowLabels.value = got.labels.map((l) => (l === null ? null : (classNames()[l] ?? null)))
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }
  watch([settings, seed], load, { immediate: true, deep: true })

  return { settings, seed, rows, rowLabels, size, error }
}
