import { createClient } from '../../preload/client'
import { createIpcTransport } from './transport/ipcTransport'
import {
  browserModeUrl,
  createWebSocketTransport,
  type WebSocketTransport
} from './transport/websocketTransport'

/** In the desktop app the preload provides the bridge; anywhere else this is browser mode. */
const websocket: WebSocketTransport | undefined = window.dgmw
  ? undefined
  : createWebSocketTransport(browserModeUrl(window.location, window.history, window.sessionStorage))

export const client = createClient(window.dgmw ? createIpcTransport(window.dgmw) : websocket!)
export const websocketTransport = websocket
