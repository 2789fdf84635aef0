/**
 * Browser mode: serves the built renderer and the contract over a WebSocket on 127.0.0.1 only.
 * Every request needs the random token from the printed URL (or the cookie set when that URL was
 * opened), like Jupyter, so other local users and web pages cannot drive the workbench. The Host
 * header must name this server (127.0.0.1, localhost or [::1] on its port), so a page whose own name
 * was rebound to 127.0.0.1 (DNS rebinding) is refused before the token is even looked at.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { z } from 'zod'
import { toWireEvent, websocketPath, type WireMessage } from '../../preload/contract'
import { UserError } from '../platform/userError'
import type { Workbench } from '../host/workbenchServices'

export interface BrowserServerOptions {
  workbench: Pick<Workbench, 'dispatch' | 'bus'>
  /** Folder holding the built renderer (index.html and assets). */
  rendererDir: string
  /** 0 picks a free port. */
  port?: number
  /** Try the following ports when the given one is taken (not when the user chose the port). */
  portFallback?: boolean
  token?: string
}

export interface BrowserServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.wasm': 'application/wasm'
}

/**
 * Most bytes a client may leave unread before it is dropped: a tab that stopped reading (asleep,
 * frozen in a debugger) must not grow the server's memory without bound with events and replies.
 * One large reply (a page of pixels) still goes out whole; only a backlog beyond this is refused.
 */
export const maxUnreadBytes = 64 * 2 ** 20

/** Largest WebSocket message accepted; a bigger one closes that client (code 1009), nothing else. */
export const maxMessageBytes = 16 * 2 ** 20

const wireRequest = z.strictObject({ id: z.number().int(), name: z.string(), args: z.unknown() })

const securityHeaders = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer'
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The request's URL, or undefined when the request line holds no parseable one (`GET http://[`). */
function requestUrl(request: IncomingMessage): URL | undefined {
  try {
    return new URL(request.url ?? '/', 'http://127.0.0.1')
  } catch {
    return undefined
  }
}

/** Answers a refused upgrade on the raw socket, with the same sentence a page request would get. */
function refuseUpgrade(socket: Socket, status: string, message: string): void {
  const body = Buffer.from(message)
  socket.end(
    `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${body.length}\r\n\r\n${body}`
  )
}

function cookieValue(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return rest.join('=')
  }
  return undefined
}

async function listen(server: Server, port: number, fallback: boolean): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const tryPort = port === 0 ? 0 : port + attempt
    try {
      await new Promise<void>((resolvePromise, reject) => {
        server.once('error', reject)
        server.listen(tryPort, '127.0.0.1', () => {
          server.off('error', reject)
          resolvePromise()
        })
      })
      return (server.address() as AddressInfo).port
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EADDRINUSE' && fallback && attempt < 20) continue
      if (code === 'EADDRINUSE') {
        throw new UserError(
          `Port ${tryPort} on 127.0.0.1 is in use. Choose another with --port, or --port 0 for any free port.`
        )
      }
      throw error
    }
  }
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const rendererDir = resolve(options.rendererDir)
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new UserError(
      `The built UI is missing (${join(rendererDir, 'index.html')}). Run \`npm run build\` first.`
    )
  }
  const token = options.token ?? randomBytes(24).toString('hex')
  let port = 0
  const cookieName = (): string => `dgmw_token_${port}`
  const authorised = (request: IncomingMessage, url: URL): boolean =>
    sameToken(url.searchParams.get('token'), token) ||
    sameToken(cookieValue(request, cookieName()), token)

  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]
  /** Why the Host header is refused, or undefined when it names this server. */
  const wrongHost = (request: IncomingMessage): string | undefined => {
    const host = request.headers.host?.toLowerCase()
    if (host !== undefined && allowedHosts().includes(host)) return undefined
    return `This DGM Workbench server answers only to http://127.0.0.1:${port}, not to the host ${JSON.stringify(request.headers.host ?? '')}. Open the URL printed by \`dgmw serve\`; when tunnelling, forward the same port number.\n`
  }

  const serveFile = (request: IncomingMessage, response: ServerResponse, url: URL): void => {
    let decoded: string
    try {
      decoded = decodeURIComponent(url.pathname)
    } catch {
      response.writeHead(400).end('Bad path')
      return
    }
    const relative = normalize(decoded).replace(/^([/\\])+/, '')
    let file = join(rendererDir, relative)
    if (!file.startsWith(rendererDir + sep) && file !== rendererDir) {
      response.writeHead(400).end('Bad path')
      return
    }
    // The renderer is a single page: unknown paths get the page itself.
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(rendererDir, 'index.html')
    const headers: Record<string, string> = {
      ...securityHeaders,
      'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600'
    }
    if (url.searchParams.has('token')) {
      headers['Set-Cookie'] = `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`
    }
    response.writeHead(200, headers)
    if (request.method === 'HEAD') response.end()
    // A file that vanishes while being sent ends this response, not the server.
    else
      createReadStream(file)
        .on('error', () => response.destroy())
        .pipe(response)
  }

  const server = createServer((request, response) => {
    const url = requestUrl(request)
    if (!url) {
      response.writeHead(400).end('Bad request URL')
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405).end()
      return
    }
    const hostRefusal = wrongHost(request)
    if (hostRefusal) {
      response.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders })
      response.end(hostRefusal)
      return
    }
    if (!authorised(request, url)) {
      response.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders })
      response.end(
        'This DGM Workbench server needs its token: open the full URL printed by `dgmw serve` (it ends in ?token=...).\n'
      )
      return
    }
    serveFile(request, response, url)
  })

  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes })
  const allowedOrigins = (): string[] => [`http://127.0.0.1:${port}`, `http://localhost:${port}`]
  server.on('upgrade', (request, socket: Socket, head) => {
    // Until ws takes the socket over, nothing else listens for a reset from the client.
    socket.on('error', () => socket.destroy())
    const url = requestUrl(request)
    if (!url) return refuseUpgrade(socket, '400 Bad Request', 'Bad request URL\n')
    const hostRefusal = wrongHost(request)
    if (hostRefusal) return refuseUpgrade(socket, '403 Forbidden', hostRefusal)
    const origin = request.headers.origin
    // A page from another origin must not reach the contract, even with the cookie.
    const originOk = origin === undefined || allowedOrigins().includes(origin)
    if (url.pathname !== websocketPath || !originOk || !authorised(request, url)) {
      return refuseUpgrade(
        socket,
        '403 Forbidden',
        'This DGM Workbench socket needs the token and a page of this server: open the full URL printed by `dgmw serve`.\n'
      )
    }
    sockets.handleUpgrade(request, socket, head, (ws) => attach(ws))
  })

  const send = (ws: WebSocket, message: WireMessage): void => {
    if (ws.readyState !== ws.OPEN) return
    // A client that stopped reading is dropped (it reconnects when it wakes) rather than buffered
    // for: terminate, not close, as a close frame would queue behind what it never read.
    if (ws.bufferedAmount > maxUnreadBytes) ws.terminate()
    else ws.send(JSON.stringify(message))
  }
  const attach = (ws: WebSocket): void => {
    const unsubscribe = options.workbench.bus.subscribe((...event) =>
      send(ws, toWireEvent(...event))
    )
    ws.on('close', unsubscribe)
    // A frame over maxMessageBytes or a broken frame: ws closes this client (1009, 1002); without
    // a listener the 'error' event would be thrown and take the whole server down.
    ws.on('error', () => {})
    ws.on('message', async (data) => {
      let parsed: z.infer<typeof wireRequest>
      try {
        parsed = wireRequest.parse(JSON.parse(String(data)))
      } catch {
        send(ws, {
          id: null,
          ok: false,
          error: {
            code: 'invalid-args',
            message: 'Malformed message: expected {"id", "name", "args"} as JSON.'
          }
        })
        return
      }
      send(ws, { id: parsed.id, ...(await options.workbench.dispatch(parsed.name, parsed.args)) })
    })
  }

  port = await listen(server, options.port ?? 0, options.portFallback ?? false)
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const client of sockets.clients) client.terminate()
        sockets.close()
        server.closeAllConnections()
        server.close(() => resolveClose())
      })
  }
}
