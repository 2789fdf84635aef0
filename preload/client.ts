/**
 * A typed client over any transport (Electron IPC, WebSocket, in-memory). The renderer and the
 * tests use it; neither can tell which transport carries the calls.
 */
import {
  onlyEvent,
  type AnyEventListener,
  type Envelope,
  type ErrorCode,
  type EventName,
  type EventPayload,
  type Reply,
  type RequestArgs,
  type RequestName
} from './contract'

export type TransportKind = 'ipc' | 'websocket' | 'memory'

export interface Transport {
  readonly kind: TransportKind
  request(name: RequestName, args: unknown): Promise<Envelope>
  subscribe(listener: AnyEventListener): () => void
}

/** A request main refused or failed; `code` says which. */
export class ContractError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'ContractError'
  }
}

export interface Client {
  readonly transport: TransportKind
  request<N extends RequestName>(name: N, args?: RequestArgs<N>): Promise<Reply<N>>
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void
}

export function createClient(transport: Transport): Client {
  return {
    transport: transport.kind,
    async request(name, args) {
      const envelope = await transport.request(name, args ?? {})
      if (!envelope.ok) throw new ContractError(envelope.error.code, envelope.error.message)
      return envelope.value as never
    },
    on(name, listener) {
      return transport.subscribe(onlyEvent(name, listener))
    }
  }
}
