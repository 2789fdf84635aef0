import { readdir, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { DatasetSummary } from '../../preload/contract'
import type { RunStore } from '../store/runStore'

/**
 * Deletes a dataset: the store's rows first, in one transaction, then its cache folder. A crash in
 * between leaves only an unreferenced folder (swept by the next deletion), never a dataset whose
 * pixels are missing. Its runs keep their results and say "name (deleted)".
 */
export async function deleteDatasetAndCache(
  store: RunStore,
  dataDir: string,
  id: number
): Promise<DatasetSummary> {
  const { meta, ...dataset } = store.datasets.get(id)
  store.datasets.delete(id)
  if (meta.cacheFile) await rm(dirname(String(meta.cacheFile)), { recursive: true, force: true })
  await sweepOrphanCaches(store, dataDir)
  return dataset
}

/**
 * A cache folder no dataset names is left over when a deletion was cut short after its database
 * transaction (a crash, a kill). Only folders older than this are swept: an import renames its
 * finished folder into place a moment before it stores the dataset that names it.
 */
export const orphanAgeMs = 60 * 60 * 1000

/** Removes dataset cache folders (`<dataDir>/datasets/<key>`) that no dataset refers to. */
export async function sweepOrphanCaches(
  store: RunStore,
  dataDir: string,
  now = Date.now()
): Promise<string[]> {
  const root = join(dataDir, 'datasets')
  const names = await readdir(root).catch(() => [] as string[])
  const used = new Set<string>()
  for (const { id } of store.datasets.list()) {
    const { meta } = store.datasets.get(id)
    if (meta.key) used.add(String(meta.key))
    if (meta.cacheFile) used.add(basename(dirname(String(meta.cacheFile))))
  }
  const removed: string[] = []
  for (const name of names) {
    // Imports in progress stage into "<key>.partial" and remove it themselves.
    if (name.endsWith('.partial') || used.has(name)) continue
    const folder = join(root, name)
    const info = await stat(folder).catch(() => undefined)
    if (!info?.isDirectory() || now - info.mtimeMs < orphanAgeMs) continue
    await rm(folder, { recursive: true, force: true })
    removed.push(folder)
  }
  return removed
}
