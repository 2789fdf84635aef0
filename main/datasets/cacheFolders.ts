import { readdirSync, rmSync, statSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { DatasetSummary } from '../../preload/contract'
import { removeStaleTemporaries } from '../platform/staleTemporaries'
import { removeRunLeftovers } from '../platform/runFiles'
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
  sweepOrphanCaches(store, dataDir)
  return dataset
}

/**
 * A cache folder no dataset names is left over when a deletion was cut short after its database
 * transaction (a crash, a kill). Only folders older than this are swept: an import renames its
 * finished folder into place a moment before it stores the dataset that names it.
 */
export const orphanAgeMs = 60 * 60 * 1000

/**
 * Removes dataset cache folders (`<dataDir>/datasets/<key>`) that no dataset refers to, and the
 * staging folders (`<key>.partial-<pid>`) of imports whose process was killed.
 */
export function sweepOrphanCaches(store: RunStore, dataDir: string, now = Date.now()): string[] {
  const root = join(dataDir, 'datasets')
  const removed = removeStaleTemporaries(root)
  let names: string[]
  try {
    names = readdirSync(root)
  } catch {
    return removed
  }
  const used = new Set<string>()
  for (const { id } of store.datasets.list()) {
    const { meta } = store.datasets.get(id)
    if (meta.key) used.add(String(meta.key))
    if (meta.cacheFile) used.add(basename(dirname(String(meta.cacheFile))))
  }
  for (const name of names) {
    // A live import's staging folder ("<key>.partial-<pid>") is its own to remove.
    if (name.includes('.partial') || used.has(name)) continue
    const folder = join(root, name)
    const info = statSync(folder, { throwIfNoEntry: false })
    if (!info?.isDirectory() || now - info.mtimeMs < orphanAgeMs) continue
    rmSync(folder, { recursive: true, force: true })
    removed.push(folder)
  }
  return removed
}

/**
 * What killed processes left in the data directory, cleared when a workbench opens it: import
 * staging and orphaned cache folders, and the temporary files of checkpoints and sample grids
 * cut short in run folders. Only interrupted runs' folders are looked in (a killed training is
 * marked interrupted just before; a resumed one is cleared as it resumes), so opening a history
 * of thousands of finished runs reads no run folder. Another live process's writes are left alone.
 */
export function sweepLeftovers(store: RunStore, dataDir: string): string[] {
  const removed = sweepOrphanCaches(store, dataDir)
  for (const { id } of store.runs.list({ status: 'interrupted', limit: 100_000 }))
    removed.push(...removeRunLeftovers(dataDir, id))
  return removed
}
