import { ref, shallowRef, watch, type Ref } from 'vue'
import type { DatasetImage, SplitName } from '../../../preload/contract'
import { client } from '../client'

const pageSize = 500

/** The contract's base64 pixels as bytes. */
export const decodePixels = (data: string): Uint8Array =>
  Uint8Array.from(atob(data), (c) => c.charCodeAt(0))

/** Image `k` of concatenated pixels (grey or RGB) as RGBA, ready for a canvas. */
export function imageRgba(
  bytes: Uint8Array,
  k: number,
  width: number,
  height: number,
  channels: number
): Uint8ClampedArray {
  const perImage = width * height * channels
  const rgba = new Uint8ClampedArray(width * height * 4)
  for (let p = 0; p < width * height; p++) {
    const src = k * perImage + p * channels
    rgba[p * 4] = bytes[src]
    rgba[p * 4 + 1] = bytes[src + (channels === 3 ? 1 : 0)]
    rgba[p * 4 + 2] = bytes[src + (channels === 3 ? 2 : 0)]
    rgba[p * 4 + 3] = 255
  }
  return rgba
}

/** Decodes the contract's base64 pixels into RGBA, one array per image. */
export function toRgba(
  data: string,
  count: number,
  width: number,
  height: number,
  channels: number
): Uint8ClampedArray[] {
  const bytes = decodePixels(data)
  return Array.from({ length: count }, (_, k) => imageRgba(bytes, k, width, height, channels))
}

/** Some of a dataset's images, by index, as RGBA (for thumbnails), with their size. */
export async function datasetRgba(
  datasetId: number,
  indices: number[]
): Promise<{ width: number; height: number; rgba: Uint8ClampedArray[] }> {
  const got = await client.request('datasets/pixels', { id: datasetId, indices })
  const rgba = toRgba(got.data, indices.length, got.width, got.height, got.channels)
  return { width: got.width, height: got.height, rgba }
}

/**
 * The images of a dataset under a class/split filter, loaded lazily: metadata in pages of 500 and
 * pixels (from the uint8 cache) only for what is on screen, so 70,000 images scroll smoothly.
 */
export function useDatasetImages(
  datasetId: Ref<number>,
  filter: Ref<{ label?: number; split?: SplitName }>
) {
  const total = ref(0)
  const items = shallowRef<(DatasetImage | undefined)[]>([])
  const pixels = new Map<number, Uint8ClampedArray>()
  const size = ref({ width: 0, height: 0 })
  const version = ref(0)
  const pagesLoading = new Set<number>()

  async function loadPage(page: number): Promise<void> {
    if (pagesLoading.has(page)) return
    pagesLoading.add(page)
    const result = await client.request('datasets/images', {
      id: datasetId.value,
      ...filter.value,
      offset: page * pageSize,
      limit: pageSize
    })
    total.value = result.total
    const next = items.value.length === result.total ? [...items.value] : new Array(result.total)
    result.items.forEach((item, k) => (next[page * pageSize + k] = item))
    items.value = next
  }

  /** Makes sure metadata and pixels of positions [from, to) are loaded. */
  async function ensure(from: number, to: number): Promise<void> {
    const pages = new Set<number>()
    for (let i = from; i < Math.min(to, total.value || to); i++)
      if (!items.value[i]) pages.add(Math.floor(i / pageSize))
    await Promise.all([...pages].map(loadPage))
    const missing = items.value
      .slice(from, to)
      .filter((i): i is DatasetImage => !!i && !pixels.has(i.idx))
      .map((i) => i.idx)
    if (missing.length === 0) return
    const got = await client.request('datasets/pixels', { id: datasetId.value, indices: missing })
    size.value = { width: got.width, height: got.height }
    toRgba(got.data, missing.length, got.width, got.height, got.channels).forEach((rgba, k) =>
      pixels.set(missing[k], rgba)
    )
    version.value++
  }

  async function reset(): Promise<void> {
    items.value = []
    total.value = 0
    pagesLoading.clear()
    await loadPage(0)
  }

  watch([datasetId, filter], reset, { immediate: true, deep: true })
  return { total, items, pixels, size, version, ensure }
}
