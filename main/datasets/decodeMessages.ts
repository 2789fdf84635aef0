import type { SkipReason } from '../../preload/contract'
import type { DecodeOptions } from './decodeImage'

/** A batch of files for a decode worker: each decoded image goes to its slot in the staging file. */
export interface DecodeBatch {
  id: number
  stagingPath: string
  options: DecodeOptions & { trackGrey: boolean }
  tasks: { slot: number; path: string }[]
}

export type DecodeResult =
  | { slot: number; ok: true; sha256: string; grey: boolean }
  | { slot: number; ok: false; reason: SkipReason; detail: string }

export interface DecodeReply {
  id: number
  results: DecodeResult[]
}
