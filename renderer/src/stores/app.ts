import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AppInfo, BackendName, EngineStatus } from '../../../preload/contract'
import { client, websocketTransport } from '../client'
import type { ConnectionState } from '../transport/websocketTransport'

/** App-wide facts for the status bar: versions, data directory, engine and connection state. */
export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null)
  const engine = ref<EngineStatus | null>(null)
  const connection = ref<ConnectionState>(client.transport === 'ipc' ? 'open' : 'connecting')
  const error = ref<string | null>(null)

  async function load(): Promise<void> {
    try {
      info.value = await client.request('app/info')
      engine.value = await client.request('engine/status')
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  /** Pins the engine to a backend (or back to automatic); the new status arrives as an event. */
  async function setBackend(backend: BackendName | 'auto'): Promise<void> {
    await client.request('engine/setBackend', { backend })
  }

  /** The desktop app's folder dialog: the folder chosen, or null if the person cancelled. */
  async function chooseFolder(): Promise<string | null> {
    return (await client.request('dialog/chooseFolder')).path
  }

  /** The desktop app's save dialog, starting at `defaultName`: the path chosen, or null. */
  async function chooseSavePath(defaultName: string): Promise<string | null> {
    return (await client.request('dialog/chooseSavePath', { defaultName })).path
  }

  client.on('engine/status', (status) => (engine.value = status))
  websocketTransport?.onConnectionChange((state) => {
    connection.value = state
    if (state === 'open') void load()
  })
  if (client.transport === 'ipc') void load()

  return {
    info,
    engine,
    connection,
    error,
    load,
    setBackend,
    chooseFolder,
    chooseSavePath,
    transport: client.transport
  }
})
