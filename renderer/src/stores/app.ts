import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AppInfo, EngineStatus } from '../../../preload/contract'
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

  client.on('engine/status', (status) => (engine.value = status))
  websocketTransport?.onConnectionChange((state) => {
    connection.value = state
    if (state === 'open') void load()
  })
  if (client.transport === 'ipc') void load()

  return { info, engine, connection, error, load, transport: client.transport }
})
