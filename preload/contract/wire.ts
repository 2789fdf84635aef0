/** What crosses a transport: reply envelopes, the IPC channels and bridge, the WebSocket messages. */
import type { EventName } from './events'
import type { Reply, RequestArgs, RequestName } from './requests'

export type ErrorCode = 'invalid-args' | 'unknown-request' | 'not-found' | 'conflict' | 'failed'
export interface ErrorInfo {
  code: ErrorCode
  message: string
}
/** What crosses a transport for every request: never a thrown error, always an envelope. */
export type Envelope<T = unknown> = { ok: true; value: T } | { ok: false; error: ErrorInfo }

/** Names of the Electron IPC channels; the preload is the only code that uses them. */
export const ipcChannels = { request: 'dgmw:request', event: 'dgmw:event' } as const

/** What the preload exposes on `window.dgmw`: one function per request, and an event hook. */
export type BridgeApi = {
  [N in RequestName]: (args: RequestArgs<N>) => Promise<Envelope<Reply<N>>>
} & {
  onEvent(listener: (name: EventName, payload: unknown) => void): () => void
  /** The absolute path of a File dropped onto the window (Electron's webUtils). */
  pathForFile(file: unknown): string
}

/** Browser mode: the WebSocket path and the messages that cross it. */
export const websocketPath = '/ws'
export interface WireRequest {
  id: number
  name: string
  args: unknown
}
export type WireMessage =
  ({ id: number | null } & Envelope) | { event: EventName; payload: unknown }
