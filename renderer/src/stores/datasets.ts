import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { DatasetDetail, ImportReport } from '../../../preload/contract'
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

/** The dataset import in progress, its last report, and the dataset shown in detail. */
export const useDatasetsStore = defineStore('datasets', () => {
  const importing = ref<ImportState | null>(null)
  const lastReport = ref<ImportReport | null>(null)
  const selected = ref<DatasetDetail | null>(null)
  const history = useHistoryStore()

  client.on('import/progress', (p) => {
    if (importing.value?.importId === p.importId)
      Object.assign(importing.value, p, { phase: 'importing' })
  })

  async function select(id: number | null): Promise<void> {
    selected.value = id === null ? null : await client.request('datasets/get', { id })
  }

  async function importPath(
    path: string,
    label = path.split(/[/\\]/).filter(Boolean).pop() ?? path
  ): Promise<void> {
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
      lastReport.value = await client.request('datasets/import', { path, importId })
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

  return { importing, lastReport, selected, select, importPath, importFiles, importDrop }
})
