/**
 * Training records its metrics from the engine's messages, while other processes (an import, a
 * second `dgmw`) may hold the shared database's write lock for longer than the busy timeout.
 * Those writes must not end the training: a write that finds the database busy waits here, in
 * order, and is retried on a timer; later writes queue behind it without touching the database
 * (so the engine's messages wait no longer than one busy timeout, as before).
 */
import { isDatabaseBusy } from '../store/databaseBusy'
import type { RunStore } from '../store/runStore'

export interface BusyTolerantWriter {
  /** Runs `write` in one write transaction now, or after the writes already waiting. */
  write(write: () => void): void
  /**
   * Resolves once every waiting write is done; rejects with the busy error when the database
   * stayed busy for `deadlineMs` (the waiting writes are dropped), or with a write's own error.
   */
  flushed(deadlineMs: number): Promise<void>
}

/** How long a busy write waits before it is tried again (milliseconds). */
const retryMs = 1000

export function createBusyTolerantWriter(store: Pick<RunStore, 'writeTransaction'>) {
  const waiting: (() => void)[] = []
  let timer: NodeJS.Timeout | undefined
  let lastBusy: unknown
  let failure: unknown
  let drained: (() => void)[] = []

  /** Runs the waiting writes in order; stops at the first busy one and retries it later. */
  function drain(): void {
    timer = undefined
    while (waiting.length > 0) {
      try {
        store.writeTransaction(waiting[0])
      } catch (error) {
        if (!isDatabaseBusy(error)) {
          // Not the lock: that write cannot succeed later; the others still may.
          waiting.shift()
          throw error
        }
        lastBusy = error
        timer = setTimeout(drainLater, retryMs)
        return
      }
      waiting.shift()
    }
    for (const resolve of drained) resolve()
    drained = []
  }

  /** A timer's drain has no caller to throw to: its error is kept for `flushed`. */
  function drainLater(): void {
    for (;;) {
      try {
        return drain()
      } catch (error) {
        failure = error
      }
    }
  }

  const writer: BusyTolerantWriter = {
    write(write) {
      waiting.push(write)
      if (waiting.length === 1) drain()
    },

    flushed(deadlineMs) {
      if (failure !== undefined) {
        const error = failure
        failure = undefined
        return Promise.reject(error)
      }
      if (waiting.length === 0) return Promise.resolve()
      return new Promise<void>((resolve, reject) => {
        const giveUp = setTimeout(() => {
          drained = drained.filter((r) => r !== done)
          waiting.length = 0
          clearTimeout(timer)
          timer = undefined
          reject(lastBusy)
        }, deadlineMs)
        const done = (): void => {
          clearTimeout(giveUp)
          if (failure === undefined) return resolve()
          reject(failure)
          failure = undefined
        }
        drained.push(done)
      })
    }
  }
  return writer
}
