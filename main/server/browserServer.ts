/**
 * Browser mode: serves the built renderer and the contract over a WebSocket on 127.0.0.1 only.
 * Every request needs the random token from the printed URL (or the cookie set when that URL was
 * opened), like Jupyter, so other local users and web pages cannot drive the workbench.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { z } from 'zod'
import { websocketPath, type WireMessage } from '../../preload/contract'
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

  const serveFile = (request: IncomingMessage, response: ServerResponse, url: URL): void => {
    const relative = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '')
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
    else createReadStream(file).pipe(response)
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405).end()
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

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 16 * 2 ** 20 })
  const allowedOrigins = (): string[] => [`http://127.0.0.1:${port}`, `http://localhost:${port}`]
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const origin = request.headers.origin
    // A page from another origin must not reach the contract, even with the cookie.
    const originOk = origin === undefined || allowedOrigins().includes(origin)
    if (url.pathname !== websocketPath || !originOk || !authorised(request, url)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      return
    }
    sockets.handleUpgrade(request, socket, head, (ws) => attach(ws))
  })

  const send = (ws: WebSocket, message: WireMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
  }
  const attach = (ws: WebSocket): void => {
    const unsubscribe = options.workbench.bus.subscribe((event, payload) =>
      send(ws, { event, payload })
    )
    ws.on('close', unsubscribe)
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
