/** Every event main pushes to its clients, with the schema of its payload. */
import { z } from 'zod'
import { id } from './schemaParts'
import { runStatuses, type EngineStatus } from './types'

export const events = {
  /** The engine finished probing backends, or failed. */
  'engine/status': z.custom<EngineStatus>(),
  'run/status': z.strictObject({
    runId: id,
    status: z.enum(runStatuses),
    error: z.string().optional()
  }),
  /** A generative run drew its fixed-noise grid (a new frame of its timelapse). */
  'run/sampleGrid': z.strictObject({
    runId: id,
    step: z.number().int().min(0),
    epoch: z.number().min(0),
    rows: z.number().int().min(1),
    cols: z.number().int().min(1),
    /** Mean pairwise distance of the grid's samples; falling towards 0 means mode collapse. */
    diversity: z.number().min(0)
  }),
  'import/progress': z.strictObject({
    importId: z.string(),
    done: z.number().int().min(0),
    total: z.number().int().min(0),
    imagesPerSecond: z.number().min(0),
    etaSeconds: z.number().min(0).nullable()
  }),
  /** A few times a second while a run trains: `metrics` holds `loss` (mean since the last event) and `lr`. */
  'train/progress': z.strictObject({
    runId: id,
    epoch: z.number().int().min(0),
    epochs: z.number().int().min(1),
    step: z.number().int().min(0),
    totalSteps: z.number().int().min(0),
    metrics: z.record(z.string(), z.number()),
    imagesPerSecond: z.number().min(0),
    elapsedSeconds: z.number().min(0),
    etaSeconds: z.number().min(0).nullable()
  }),
  /**
   * The end of an epoch: `metrics` holds the epoch's series values (`train/loss`, `train/accuracy`,
   * `val/loss`, `val/accuracy`, `lr`, `images_per_second`), as stored with `step` = global step.
   */
  'train/epoch': z.strictObject({
    runId: id,
    epoch: z.number().int().min(0),
    step: z.number().int().min(0),
    metrics: z.record(z.string(), z.number())
  }),
  /** Another process on the same data directory (the CLI, a second server) changed these lists. */
  'history/changed': z.strictObject({ datasets: z.boolean(), runs: z.boolean() })
} as const

export type EventName = keyof typeof events
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>
/**
 * An event as a listener of every event receives it: its name, then that event's payload. Taken
 * as parameters, `(name, payload) => …`, checking `name` narrows `payload`.
 */
export type EventOf<E extends EventName = EventName> = {
  [K in E]: [name: K, payload: EventPayload<K>]
}[E]
/** Listens to every event (transports and windows forward them all). */
export type AnyEventListener = (...event: EventOf) => void

/** The event `name` carrying `payload`, as an all-events listener takes it. */
export function eventOf<E extends EventName>(name: E, payload: EventPayload<E>): EventOf {
  // A generic name with its payload is one of EventOf's members; TypeScript cannot tell which.
  return [name, payload] as EventOf
}

/** An all-events listener that hands the payloads of `name` to `listener` and ignores the rest. */
export function onlyEvent<E extends EventName>(
  name: E,
  listener: (payload: EventPayload<E>) => void
): AnyEventListener {
  return (eventName, payload) => {
    // The names match, so the payload is that event's; TypeScript cannot narrow a generic name.
    if (eventName === name) listener(payload as EventPayload<E>)
  }
}
