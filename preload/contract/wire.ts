/** What crosses a transport: reply envelopes, the IPC channels and bridge, the WebSocket messages. */
import type { AnyEventListener, EventName, EventOf, EventPayload } from './events'
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
  onEvent(listener: AnyEventListener): () => void
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
/** An event on the socket: its name and its payload, as JSON. */
export type WireEvent<E extends EventName = EventName> = {
  [K in E]: { event: K; payload: EventPayload<K> }
}[E]
export type WireMessage = ({ id: number | null } & Envelope) | WireEvent

export function toWireEvent<E extends EventName>(...[event, payload]: EventOf<E>): WireEvent<E> {
  return { event, payload }
}
export function fromWireEvent<E extends EventName>({ event, payload }: WireEvent<E>): EventOf<E> {
  return [event, payload]
}
