/**
 * The headless app: run store, engine worker, event bus and the contract's handlers, wired once.
 * The Electron host, browser mode and tests each create one and attach their transport to it.
 */
import { join } from 'node:path'
import type { BackendName } from '../../preload/contract'
import { startEngine, type EngineHost } from '../compute/engineHost'
import { databaseFileName, ensureDataDir } from '../services/dataDir'
import { openRunStore, type RunStore } from '../store/runStore'
import { createDispatcher, type Dispatch } from './dispatcher'
import { EventBus } from './eventBus'
import { createHandlers } from './handlers'

export interface WorkbenchOptions {
  dataDir: string
  backend?: BackendName
  /** better-sqlite3 addon for the current runtime (the Electron host passes its own build). */
  sqliteBinding?: string
  log?: (message: string) => void
}

export interface Workbench {
  dataDir: string
  store: RunStore
  engine: EngineHost
  bus: EventBus
  dispatch: Dispatch
  close(): Promise<void>
}

export function createWorkbench(options: WorkbenchOptions): Workbench {
  const dataDir = ensureDataDir(options.dataDir)
  const store = openRunStore(join(dataDir, databaseFileName), {
    nativeBinding: options.sqliteBinding
  })
  store.markInterruptedRuns()
  const bus = new EventBus()
  const engine = startEngine({
    forced: options.backend,
    onStatus: (status) => bus.emit('engine/status', status)
  })
  const dispatch = createDispatcher(createHandlers({ dataDir, store, engine }), options.log)
  return {
    dataDir,
    store,
    engine,
    bus,
    dispatch,
    async close() {
      await engine.close()
      store.close()
    }
  }
}
