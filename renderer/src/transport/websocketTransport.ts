import {
  fromWireEvent,
  websocketPath,
  type AnyEventListener,
  type Envelope,
  type RequestName,
  type WireMessage,
  type WireRequest
} from '../../../preload/contract'
import type { Transport } from '../../../preload/client'

export type ConnectionState = 'connecting' | 'open' | 'closed'

export interface WebSocketTransport extends Transport {
  onConnectionChange(listener: (state: ConnectionState) => void): void
}

/**
 * Browser mode's transport: the contract over one WebSocket to `dgmw serve`. Requests made while
 * (re)connecting wait for the socket; a dropped socket fails pending requests and reconnects.
 */
export function createWebSocketTransport(url: string): WebSocketTransport {
  const pending = new Map<number, (envelope: Envelope) => void>()
  const listeners = new Set<AnyEventListener>()
  const stateListeners = new Set<(state: ConnectionState) => void>()
  let nextId = 1
  let socket: WebSocket
  let opened: Promise<void>

  const setState = (state: ConnectionState): void => stateListeners.forEach((l) => l(state))
  const connect = (): void => {
    setState('connecting')
    socket = new WebSocket(url)
    opened = new Promise((resolve) =>
      socket.addEventListener('open', () => resolve(), { once: true })
    )
    socket.addEventListener('open', () => setState('open'))
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as WireMessage
      if ('event' in message) {
        const wireEvent = fromWireEvent(message)
        listeners.forEach((l) => l(...wireEvent))
      } else if (message.id !== null) {
        pending.get(message.id)?.(message)
        pending.delete(message.id)
      }
    })
    socket.addEventListener('close', () => {
      setState('closed')
      for (const resolve of pending.values()) {
        resolve({
          ok: false,
          error: {
            code: 'failed',
            message: 'Lost the connection to the workbench server. Is `dgmw serve` still running?'
          }
        })
      }
      pending.clear()
      setTimeout(connect, 1500)
    })
  }
  connect()

  return {
    kind: 'websocket',
    async request(name: RequestName, args: unknown) {
      await opened
      const id = nextId++
      const reply = new Promise<Envelope>((resolve) => pending.set(id, resolve))
      socket.send(JSON.stringify({ id, name, args } satisfies WireRequest))
      return reply
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    onConnectionChange(listener) {
      stateListeners.add(listener)
    }
  }
}

/** The server's URL carries a token; keep it for this tab and take it out of the address bar. */
export function browserModeUrl(location: Location, history: History, storage: Storage): string {
  const params = new URLSearchParams(location.search)
  const token = params.get('token') ?? storage.getItem('dgmw-token')
  if (params.has('token')) {
    storage.setItem('dgmw-token', params.get('token')!)
    params.delete('token')
    const query = params.toString()
    history.replaceState(null, '', location.pathname + (query ? `?${query}` : '') + location.hash)
  }
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}${websocketPath}${token ? `?token=${encodeURIComponent(token)}` : ''}`
}
