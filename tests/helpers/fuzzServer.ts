/**
 * What the bad-requests campaign needs around a real browser server: sockets that connect with
 * chosen headers, a raw TCP client for what no WebSocket library sends, a hash of every file in
 * the data directory, and percentiles.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { connect as connectTcp, type Socket } from 'node:net'
import { join } from 'node:path'
import WebSocket from 'ws'

/** Opens a socket and resolves with it once open, or rejects with the HTTP status and body it got. */
export function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, maxPayload: 2 ** 30 })
    const timer = setTimeout(() => reject(new Error(`no answer from ${url}`)), 10_000)
    ws.once('open', () => {
      clearTimeout(timer)
      resolve(ws)
    })
    ws.once('unexpected-response', (_req, res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d))
      res.on('end', () => {
        clearTimeout(timer)
        reject(new Error(`HTTP ${res.statusCode}: ${body}`))
      })
    })
    ws.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

/** Sends raw bytes on a fresh TCP connection; resolves with all it got back when the server closes or `waitMs` passes. */
export function rawExchange(port: number, bytes: string | Buffer, waitMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1')
    let out = ''
    const done = (): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(out)
    }
    const timer = setTimeout(done, waitMs)
    socket.on('data', (d) => (out += d.toString('latin1')))
    socket.on('close', done)
    socket.on('error', done)
    socket.write(bytes)
  })
}

/** The handshake of a WebSocket upgrade, written by hand (any Host, any path). */
export function upgradeRequest(path: string, host: string, extra = ''): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`
  )
}

/** A WebSocket frame from a client, masked as clients must (or not, to break the protocol). */
export function clientFrame(opcode: number, payload: Buffer, masked = true): Buffer {
  const length = payload.length
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, (masked ? 0x80 : 0) | length])
      : length < 65536
        ? Buffer.from([0x80 | opcode, (masked ? 0x80 : 0) | 126, length >> 8, length & 255])
        : Buffer.concat([
            Buffer.from([0x80 | opcode, (masked ? 0x80 : 0) | 127]),
            (() => {
              const b = Buffer.alloc(8)
              b.writeBigUInt64BE(BigInt(length))
              return b
            })()
          ])
  if (!masked) return Buffer.concat([header, payload])
  const mask = Buffer.from([1, 2, 3, 4])
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]))
  return Buffer.concat([header, mask, body])
}

/** Opens a raw TCP socket and completes a WebSocket handshake on it; resolves once upgraded. */
export function rawWebSocket(port: number, path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(port, '127.0.0.1')
    const timer = setTimeout(() => reject(new Error('no handshake answer')), 10_000)
    socket.once('error', reject)
    socket.once('data', (d) => {
      clearTimeout(timer)
      if (d.toString('latin1').startsWith('HTTP/1.1 101')) resolve(socket)
      else reject(new Error(d.toString('latin1').split('\r\n')[0]))
    })
    socket.write(upgradeRequest(path, `127.0.0.1:${port}`))
  })
}

/** sha256 of every file under `dir` (and the list of folders), keyed by relative path. */
export function hashTree(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = join(relative, entry.name)
      if (entry.isDirectory()) {
        out.set(`${path}/`, 'folder')
        walk(path)
      } else {
        const full = join(dir, path)
        out.set(
          path,
          statSync(full).isFile()
            ? createHash('sha256').update(readFileSync(full)).digest('hex')
            : 'special'
        )
      }
    }
  }
  walk('')
  return out
}

/** What changed between two hashTree results, one line per path. */
export function treeChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = []
  for (const [path, hash] of before)
    if (!after.has(path)) changes.push(`removed ${path}`)
    else if (after.get(path) !== hash) changes.push(`changed ${path}`)
  for (const path of after.keys()) if (!before.has(path)) changes.push(`added ${path}`)
  return changes
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
