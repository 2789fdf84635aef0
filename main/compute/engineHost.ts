/**
 * Starts the engine worker and tracks its status. Lives on the host side (Electron main or the
 * browser-mode server); callers see the status and, later, training messages.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { BackendName, EngineStatus } from '../../preload/contract'
import type { EngineCommand, EngineMessage, EngineWorkerData } from './engineMessages'

export interface EngineHost {
  status(): EngineStatus
  /** Resolves once the worker has chosen a backend (or failed). */
  ready(): Promise<EngineStatus>
  close(): Promise<void>
}

/**
 * The built worker sits beside the built host. Under tests, where only the TypeScript source
 * exists, a one-line bootstrap registers tsx in the worker and loads the source.
 */
function spawnWorker(workerData: EngineWorkerData): Worker {
  const built = join(__dirname, 'engineWorker.js')
  if (existsSync(built)) return new Worker(built, { workerData })
  const source = JSON.stringify(join(__dirname, 'engineWorker.ts'))
  return new Worker(`require('tsx/cjs'); require(${source})`, { eval: true, workerData })
}

export function startEngine(options: {
  forced?: BackendName
  onStatus?: (s: EngineStatus) => void
}): EngineHost {
  let current: EngineStatus = {
    state: 'starting',
    forced: options.forced,
    rungs: [],
    threads: availableParallelism()
  }
  const worker = spawnWorker({ forced: options.forced })
  let closing = false
  let settle!: (s: EngineStatus) => void
  const settled = new Promise<EngineStatus>((resolve) => (settle = resolve))

  const update = (status: EngineStatus): void => {
    current = status
    options.onStatus?.(status)
    if (status.state !== 'starting') settle(status)
  }
  worker.on('message', (message: EngineMessage) => {
    if (message.type === 'status') update(message.status)
  })
  worker.on('error', (error) =>
    update({ ...current, state: 'failed', error: `The engine worker crashed: ${error.message}` })
  )
  worker.on('exit', (code) => {
    if (!closing)
      update({
        ...current,
        state: 'failed',
        error: `The engine worker exited (code ${code}). Restart the app.`
      })
  })

  return {
    status: () => current,
    ready: () => settled,
    async close() {
      closing = true
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      worker.postMessage({ type: 'stop' } satisfies EngineCommand)
      // A worker busy in a long kernel gets a moment to finish, then is terminated.
      const timer = setTimeout(() => void worker.terminate(), 2000)
      await exited
      clearTimeout(timer)
    }
  }
}
