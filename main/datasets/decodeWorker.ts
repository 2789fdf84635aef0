/**
 * A decode worker: reads files with synchronous I/O (cheap off the main thread), decodes them and
 * writes the pixels straight into the staging file, so only small results cross back.
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import { parentPort } from 'node:worker_threads'
import { isGrey } from './collected'
import { decodeBytes } from './decodeImage'
import type { DecodeBatch, DecodeReply, DecodeResult } from './decodeMessages'
import { readImageFileSync } from './readImageFile'

/**
 * Batches hold consecutive slots, so their pixels are gathered in one buffer and written with one
 * call (failed slots stay zero and are never read back).
 */
async function run(batch: DecodeBatch): Promise<DecodeReply> {
  const fd = openSync(batch.stagingPath, 'r+')
  const results: DecodeResult[] = []
  const { size, channels } = batch.options
  const perImage = size * size * channels
  const first = batch.tasks[0].slot
  const span = batch.tasks[batch.tasks.length - 1].slot - first + 1
  const pixels = new Uint8Array(span * perImage)
  try {
    for (const { slot, path } of batch.tasks) {
      // Not a plain read: the file may have become a FIFO or a device since the scan.
      const read = readImageFileSync(path)
      if (!read.ok) {
        results.push({ slot, ok: false, reason: read.reason, detail: read.detail })
        continue
      }
      const decoded = await decodeBytes(read.bytes, batch.options)
      if (!decoded.ok) {
        results.push({ slot, ok: false, reason: decoded.reason, detail: decoded.detail })
        continue
      }
      pixels.set(decoded.pixels, (slot - first) * perImage)
      results.push({
        slot,
        ok: true,
        sha256: decoded.sha256,
        grey: batch.options.trackGrey && isGrey(decoded.pixels, batch.options.channels)
      })
    }
    writeSync(fd, pixels, 0, pixels.length, first * perImage)
  } finally {
    closeSync(fd)
  }
  return { id: batch.id, results }
}

parentPort!.on('message', (batch: DecodeBatch) => {
  void run(batch).then((reply) => parentPort!.postMessage(reply))
})
