import { mkdirSync, writeFileSync } from 'node:fs'
import { get as httpGet } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { WireMessage } from '../../../preload/contract'
import { createWorkbench } from '../../../main/host/workbench'
import type { Workbench } from '../../../main/host/workbenchServices'
import {
  maxMessageBytes,
  startBrowserServer,
  type BrowserServer
} from '../../../main/server/browserServer'
import { seedHistory } from '../../helpers/seedHistory'
import { tempDir } from '../../helpers/tempDir'

/** Opens a socket and resolves with it once open, or rejects with the HTTP status it got. */
function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

function call(ws: WebSocket, id: number, name: string, args: unknown): Promise<WireMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const message = JSON.parse(String(data)) as WireMessage
      if ('id' in message && message.id === id) {
        ws.off('message', onMessage)
        resolve(message)
      }
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify({ id, name, args }))
  })
}

describe('browser mode server', () => {
  let dir: ReturnType<typeof tempDir>
  let workbench: Workbench
  let server: BrowserServer
  let base: string

  beforeAll(async () => {
    dir = tempDir()
    const rendererDir = join(dir.path, 'renderer')
    mkdirSync(join(rendererDir, 'assets'), { recursive: true })
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>DGM Workbench</title>')
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
    writeFileSync(join(dir.path, 'secret.txt'), 'not for the web')
    seedHistory(join(dir.path, 'data'))
    workbench = createWorkbench({ dataDir: join(dir.path, 'data'), backend: 'cpu', log: () => {} })
    server = await startBrowserServer({ workbench, rendererDir, port: 0 })
    base = `http://127.0.0.1:${server.port}`
  })
  afterAll(async () => {
    await server.close()
    await workbench.close()
    dir.cleanup()
  })

  it('prints a URL on 127.0.0.1 carrying a long random token', () => {
    expect(server.url).toBe(`${base}/?token=${server.token}`)
    expect(server.token).toMatch(/^[0-9a-f]{48}$/)
  })

  it('refuses pages without the token and serves them with it, setting a cookie and a CSP', async () => {
    const refused = await fetch(`${base}/`)
    expect(refused.status).toBe(403)
    expect(await refused.text()).toMatch(/needs its token/)
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(403)

    const page = await fetch(server.url)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<title>DGM Workbench</title>')
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'")
    const cookie = page.headers.get('set-cookie')!
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/)

    const asset = await fetch(`${base}/assets/app.js`, {
      headers: { cookie: cookie.split(';')[0] }
    })
    expect(asset.status).toBe(200)
    expect(asset.headers.get('content-type')).toMatch(/javascript/)
  })

  it('does not serve files outside the renderer folder', async () => {
    const response = await fetch(`${base}/..%2Fsecret.txt?token=${server.token}`)
    expect(await response.text()).not.toContain('not for the web')
  })

  it('refuses a WebSocket without the token or from another origin', async () => {
    await expect(connect(`ws://127.0.0.1:${server.port}/ws`)).rejects.toThrow('HTTP 403')
    await expect(connect(`ws://127.0.0.1:${server.port}/ws?token=nope`)).rejects.toThrow('HTTP 403')
    await expect(
      connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, {
        Origin: 'https://evil.example'
      })
    ).rejects.toThrow('HTTP 403')
  })

  it('carries the contract over the WebSocket, with validation', async () => {
    const ws = await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, {
      Origin: base
    })
    const runs = await call(ws, 1, 'runs/list', {})
    expect(runs).toMatchObject({ id: 1, ok: true })
    expect('value' in runs && (runs.value as unknown[]).length).toBe(3)
    const bad = await call(ws, 2, 'runs/list', { limit: 'all' })
    expect(bad).toMatchObject({ id: 2, ok: false, error: { code: 'invalid-args' } })
    ws.send('not json')
    const malformed = await new Promise<WireMessage>((resolve) =>
      ws.once('message', (d) => resolve(JSON.parse(String(d))))
    )
    expect(malformed).toMatchObject({
      id: null,
      ok: false,
      error: { message: expect.stringMatching(/Malformed message/) }
    })
    ws.close()
  })

  it('pushes events from the workbench to connected sockets', async () => {
    const ws = await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`)
    const received = new Promise<WireMessage>((resolve) =>
      ws.once('message', (d) => resolve(JSON.parse(String(d))))
    )
    workbench.bus.emit('run/status', { runId: 1, status: 'running' })
    expect(await received).toEqual({
      event: 'run/status',
      payload: { runId: 1, status: 'running' }
    })
    ws.close()
  })

  it('refuses a Host that is not this server (DNS rebinding), page and socket alike', async () => {
    const rebound = `evil.example:${server.port}`
    const page = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const request = httpGet(
        {
          host: '127.0.0.1',
          port: server.port,
          path: `/?token=${server.token}`,
          headers: { Host: rebound }
        },
        (response) => {
          let body = ''
          response.on('data', (d) => (body += d))
          response.on('end', () => resolve({ status: response.statusCode, body }))
        }
      )
      request.on('error', reject)
    })
    expect(page.status).toBe(403)
    expect(page.body).toMatch(
      /answers only to http:\/\/127\.0\.0\.1:\d+, not to the host "evil\.example/
    )
    await expect(
      connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { Host: rebound })
    ).rejects.toThrow('HTTP 403')
    const local = await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, {
      Host: `localhost:${server.port}`
    })
    local.close()
  })

  it('closes only the client whose message is over the size limit', async () => {
    const big = await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`)
    big.on('error', () => {})
    const closed = new Promise<number>((resolve) => big.once('close', resolve))
    big.send(Buffer.alloc(maxMessageBytes + 1))
    expect(await closed).toBe(1009)
    const ws = await connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`)
    expect(await call(ws, 1, 'app/info', {})).toMatchObject({ id: 1, ok: true })
    ws.close()
  })

  it('says which port is taken when the user chose it', async () => {
    await expect(
      startBrowserServer({ workbench, rendererDir: join(dir.path, 'renderer'), port: server.port })
    ).rejects.toThrow(
      new RegExp(`Port ${server.port} on 127.0.0.1 is in use. Choose another with --port`)
    )
  })
})
