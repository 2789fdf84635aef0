import { onMounted, ref } from 'vue'
import type { ExportedModelInfo } from '../../../preload/contract'
import { client } from '../client'

/** What an exported model folder's metadata says; refused if the folder is not an export. */
export const inspectExport = (path: string): Promise<ExportedModelInfo> =>
  client.request('exports/inspect', { path })

/** An exported model folder, read once its tab is up. */
export function useExportedModel(path: string) {
  const model = ref<ExportedModelInfo | null>(null)
  const error = ref<string | null>(null)
  onMounted(async () => {
    try {
      model.value = await inspectExport(path)
    } catch (e) {
      error.value = (e as Error).message
    }
  })
  return { model, error }
}
