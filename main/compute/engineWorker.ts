/**
 * The long-lived engine worker: the one thread that owns the tensor library, so training never
 * stalls the process that serves the UI. It probes the backend ladder once at start.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { selectBackend } from './backendProbe'
import type { EngineCommand, EngineMessage, EngineWorkerData } from './engineMessages'

const post = (message: EngineMessage): void => parentPort!.postMessage(message)

async function start(): Promise<void> {
  const { forced } = workerData as EngineWorkerData
  post({ type: 'status', status: await selectBackend(forced) })
}

// Listening keeps the worker alive between commands; it ends only when the host says stop.
parentPort!.on('message', (command: EngineCommand) => {
  if (command.type === 'stop') parentPort!.close()
})

void start()
