/**
 * Decodes many files across one worker thread per core (libvips also threads inside each), in
 * batches, so the host's event loop stays free while 70,000 images are imported.
 */
import { availableParallelism } from 'node:os'
import type { Worker } from 'node:worker_threads'
import { startWorkerThread } from '../platform/workerThread'
import type { DecodeOptions } from './decodeImage'
import type { DecodeBatch, DecodeReply, DecodeResult } from './decodeMessages'

const batchSize = 256

export async function decodeAll(
  tasks: { slot: number; path: string }[],
  stagingPath: string,
  options: DecodeOptions & { trackGrey: boolean },
  onBatch: (results: DecodeResult[]) => void
): Promise<void> {
  const batches: DecodeBatch[] = []
  for (let i = 0; i < tasks.length; i += batchSize)
    batches.push({ id: batches.length, stagingPath, options, tasks: tasks.slice(i, i + batchSize) })
  const workers: Worker[] = Array.from(
    { length: Math.min(availableParallelism(), Math.max(1, batches.length)) },
    () => startWorkerThread('decodeWorker', __dirname, {})
  )
  let next = 0
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = (): void => {
              if (next >= batches.length) return resolve()
              worker.postMessage(batches[next++])
            }
            worker.on('message', (reply: DecodeReply) => {
              onBatch(reply.results)
              send()
            })
            worker.on('error', reject)
            worker.on(
              'exit',
              (code) => code !== 0 && reject(new Error(`a decode worker exited with code ${code}`))
            )
            send()
          })
      )
    )
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
}
