/**
 * What the explain services share: their options, and small pieces of every report — which
 * checkpoint an answer depends on, a cache key for pixels, maps as uint8 planes.
 */
import { createHash } from 'node:crypto'
import type { MapPlane } from '../../preload/contract'
import type { EngineHost } from '../engine/engineHost'
import type { ModelSource } from '../engine/engineMessages'
import type { RunStore } from '../store/runStore'
import { UserError } from '../platform/userError'

export type { MapPlane }

export interface ExplainServiceOptions {
  store: RunStore
  dataDir: string
  engine: () => EngineHost
}

/** The checkpoint whose weights an answer depends on. */
export function checkpointOf(source: Exclude<ModelSource, { kind: 'exported' }>): string {
  return source.kind === 'classifier' ? source.checkpointFile : source.model.checkpointFile
}

/** Identifies an image's pixels in cache keys (a file edited on disk is explained afresh). */
export const pixelHash = (pixels: Uint8Array): string =>
  createHash('sha256').update(pixels).digest('hex')

/** A [0, 1] map as a uint8 plane, for the renderer to colour. */
export function mapPlane(map: Float32Array, width: number, height: number): MapPlane {
  const bytes = Buffer.alloc(map.length)
  map.forEach((v, i) => (bytes[i] = Math.round(Math.min(1, Math.max(0, v)) * 255)))
  return { width, height, channels: 1, data: bytes.toString('base64') }
}

/** Refuses a class index the model or dataset does not have (absent: the default class). */
export function checkClass(
  classIndex: number | undefined,
  classes: number,
  subject: 'model' | 'dataset'
): void {
  if (classIndex !== undefined && classIndex >= classes)
    throw new UserError(
      `The ${subject} has ${classes} classes (0–${classes - 1}); there is no class ${classIndex}.`,
      'invalid-args'
    )
}
