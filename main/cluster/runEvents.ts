/**
 * A cluster run's metrics stream: `events.jsonl` in its run folder, one JSON record per line,
 * appended by the job on the compute node (`dgmw train --run-spec`) and read by the workbench,
 * which records each in SQLite as if the engine had sent it in this process. The records are the
 * engine's own messages, so both sides speak the engine's protocol and nothing is translated.
 * Each attempt of a requeued job appends to the same file, after an `attempt` record.
 */
import { appendFileSync, closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { join } from 'node:path'
import type {
  EpochReport,
  SampleSnapshot,
  ScoresCore,
  TrainProgress,
  TrainResult,
  TrainStart
} from '../engine/engineMessages'

export type RunEvent =
  | { type: 'attempt'; at: string; node: string; jobId: string | null; version: string }
  | { type: 'backend'; backend: string }
  | { type: 'start'; start: TrainStart }
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'epoch'; report: EpochReport }
  | { type: 'snapshot'; snapshot: SampleSnapshot }
  | { type: 'scores'; scores: ScoresCore & { step: number } }
  | { type: 'done'; result: TrainResult }
  | { type: 'failed'; message: string; deviceLost?: boolean }
  /** The job was told to stop (scancel, requeue, preemption, its time limit): it kept its checkpoint. */
  | { type: 'signalled'; signal: string; requeue: boolean }

export const eventsFile = (runFolder: string): string => join(runFolder, 'events.jsonl')

/** Appends one record (one write of one line: a reader never sees half of it as a whole line). */
export function appendEvent(runFolder: string, event: RunEvent): void {
  appendFileSync(eventsFile(runFolder), JSON.stringify(event) + '\n')
}

/** Reads a run's events from a byte offset on, as the job appends them. */
export function eventReader(runFolder: string, startAt = 0) {
  let offset = startAt
  return {
    /** Bytes read and handled so far (kept with the run, so a restarted workbench goes on there). */
    offset: (): number => offset,
    /** The complete records appended since the last call (a half-written last line waits). */
    next(): RunEvent[] {
      let fd: number
      try {
        fd = openSync(eventsFile(runFolder), 'r')
      } catch {
        return [] // The job has not started writing yet.
      }
      try {
        const size = fstatSync(fd).size
        if (size <= offset) return []
        const buffer = Buffer.alloc(size - offset)
        const read = readSync(fd, buffer, 0, buffer.length, offset)
        const text = buffer.subarray(0, read)
        const end = text.lastIndexOf(0x0a)
        if (end < 0) return []
        offset += end + 1
        return text
          .subarray(0, end)
          .toString('utf8')
          .split('\n')
          .filter((line) => line.length > 0)
          .map((line) => JSON.parse(line) as RunEvent)
      } finally {
        closeSync(fd)
      }
    }
  }
}
