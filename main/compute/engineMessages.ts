import type { BackendName, EngineStatus } from '../../preload/contract'

/** Data the engine worker starts with. */
export interface EngineWorkerData {
  forced?: BackendName
}

/** Messages from the engine worker to its host (a discriminated union; training adds more). */
export type EngineMessage = { type: 'status'; status: EngineStatus }

/** Commands from the host to the engine worker (training adds more). */
export type EngineCommand = { type: 'stop' }
