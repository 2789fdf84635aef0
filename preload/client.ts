/**
 * A typed client over any transport (Electron IPC, WebSocket, in-memory). The renderer and the
 * tests use it; neither can tell which transport carries the calls.
 */
import type {
  Envelope,
  ErrorCode,
  EventName,
  EventPayload,
  Reply,
  RequestArgs,
  RequestName
} from './contract'

export type TransportKind = 'ipc' | 'websocket' | 'memory'

export interface Transport {
  readonly kind: TransportKind
  request(name: RequestName, args: unknown): Promise<Envelope>
  subscribe(listener: (name: EventName, payload: unknown) => void): () => void
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
      return transport.subscribe((eventName, payload) => {
        if (eventName === name) listener(payload as never)
      })
    }
  }
}
