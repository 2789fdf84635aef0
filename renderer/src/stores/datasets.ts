import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { DatasetDetail, DatasetSummary, ImportReport } from '../../../preload/contract'
import { client } from '../client'
import { filesFromDrop, upload, type PickedFile } from '../upload'
import { useHistoryStore } from './history'

export interface ImportState {
  importId: string
  label: string
  phase: 'uploading' | 'importing' | 'done' | 'failed'
  done: number
  total: number
  imagesPerSecond: number
  etaSeconds: number | null
  error?: string
}

/** A folder about to be imported that was imported before: the person chooses what to do. */
export interface ExistingImport {
  path: string
  label: string
  dataset: DatasetSummary
}

/** The dataset import in progress, its last report, and the dataset shown in detail. */
export const useDatasetsStore = defineStore('datasets', () => {
  const importing = ref<ImportState | null>(null)
  const existing = ref<ExistingImport | null>(null)
  const lastReport = ref<ImportReport | null>(null)
  const selected = ref<DatasetDetail | null>(null)
  const history = useHistoryStore()

  client.on('import/progress', (p) => {
    if (importing.value?.importId === p.importId)
      Object.assign(importing.value, p, { phase: 'importing' })
  })

  /** A dataset's detail, without showing it. */
  const get = (id: number): Promise<DatasetDetail> => client.request('datasets/get', { id })

  async function select(id: number | null): Promise<void> {
    selected.value = id === null ? null : await get(id)
  }

  const failed = (label: string, error: string): ImportState => ({
    importId: '',
    label,
    phase: 'failed',
    done: 0,
    total: 0,
    imagesPerSecond: 0,
    etaSeconds: null,
    error
  })

  /**
   * Imports a path on the workbench machine. A folder imported before is not imported again
   * silently: `existing` asks the person first (open that dataset, or import it again).
   */
  async function importPath(
    path: string,
    label = path.split(/[/\\]/).filter(Boolean).pop() ?? path,
    onExisting?: 'reimport'
  ): Promise<void> {
    existing.value = null
    if (!onExisting) {
      try {
        const found = await client.request('datasets/findImported', { path })
        if (found.dataset) {
          importing.value = null
          existing.value = { path: found.path, label, dataset: found.dataset }
          return
        }
      } catch (e) {
        importing.value = failed(label, (e as Error).message)
        return
      }
    }
    const importId = crypto.randomUUID()
    importing.value = {
      importId,
      label,
      phase: 'importing',
      done: 0,
      total: 0,
      imagesPerSecond: 0,
      etaSeconds: null
    }
    try {
      lastReport.value = await client.request('datasets/import', { path, importId, onExisting })
      importing.value.phase = 'done'
      await history.refresh()
      await select(lastReport.value.dataset.id)
    } catch (e) {
      importing.value.phase = 'failed'
      importing.value.error = (e as Error).message
    }
  }

  /** Browser mode: upload the files, then import the uploaded folder. */
  async function importFiles(name: string, files: PickedFile[]): Promise<void> {
    importing.value = {
      importId: '',
      label: name,
      phase: 'uploading',
      done: 0,
      total: files.length,
      imagesPerSecond: 0,
      etaSeconds: null
    }
    try {
      const path = await upload(name, files, (done, total) =>
        Object.assign(importing.value!, { done, total })
      )
      await importPath(path, name)
    } catch (e) {
      importing.value!.phase = 'failed'
      importing.value!.error = (e as Error).message
    }
  }

  /** A drop: in the desktop app the preload gives real paths; in a browser the files are uploaded. */
  async function importDrop(transfer: DataTransfer): Promise<void> {
    if (window.dgmw && transfer.files.length > 0)
      return importPath(window.dgmw.pathForFile(transfer.files[0]))
    const { name, files } = await filesFromDrop(transfer)
    if (files.length > 0) await importFiles(name, files)
  }

  /** The answer to `existing`: open the dataset it already is, import it again, or neither. */
  async function answerExisting(choice: 'open' | 'reimport' | 'cancel'): Promise<void> {
    const asked = existing.value
    existing.value = null
    if (!asked || choice === 'cancel') return
    if (choice === 'open') await select(asked.dataset.id)
    else await importPath(asked.path, asked.label, 'reimport')
  }

  /** A failed import's message is about what was typed then; typing again clears it. */
  function clearFailedImport(): void {
    if (importing.value?.phase === 'failed') importing.value = null
  }

  async function rename(id: number, name: string): Promise<void> {
    await client.request('datasets/rename', { id, name })
    await history.refresh()
    if (selected.value?.id === id) await select(id)
  }

  async function remove(id: number): Promise<void> {
    await client.request('datasets/delete', { id })
    if (selected.value?.id === id) selected.value = null
    await history.refresh()
  }

  return {
    importing,
    existing,
    lastReport,
    selected,
    get,
    select,
    importPath,
    importFiles,
    importDrop,
    answerExisting,
    clearFailedImport,
    rename,
    remove
  }
})
