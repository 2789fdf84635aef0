/**
 * Bad requests campaign (issue 18): a real browser server on a seeded data directory takes a
 * seeded barrage of bad requests over 100 WebSockets (every request name with spoiled arguments,
 * unknown names, malformed and binary frames) while a canary asks `app/info`; then frames over the
 * size limit, broken WebSocket frames, raw HTTP, wrong token/Origin/Host, a client that never
 * reads. Every answer must be a typed error or a correct result, the server must stay up, and
 * nothing in the data directory may change. The same generator drives `dispatch` in-process, as
 * Electron's ipcMain.handle does, with values only structured clone can carry (NaN, BigInt, …).
 *
 * Size: DGMW_CAMPAIGN_SCALE=full (scripts/fuzz-requests.sh) sends 50,000; CI sends 10,000.
 * Seed: DGMW_FUZZ_SEED (printed in every failure).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type WebSocket from 'ws'
import {
  requests,
  type Envelope,
  type ErrorCode,
  type RequestName,
  type WireMessage
} from '../../preload/contract'
import { createWorkbench } from '../../main/host/workbench'
import type { Workbench } from '../../main/host/workbenchServices'
import { seededRandom } from '../../main/platform/random'
import {
  maxMessageBytes,
  maxUnreadBytes,
  startBrowserServer,
  type BrowserServer
} from '../../main/server/browserServer'
import {
  generateRequest,
  refusedOnly,
  type FuzzContext,
  type FuzzRequest
} from '../helpers/badRequests'
import {
  clientFrame,
  connect,
  hashTree,
  percentile,
  rawExchange,
  rawWebSocket,
  treeChanges,
  upgradeRequest
} from '../helpers/fuzzServer'
import { seedHistory } from '../helpers/seedHistory'
import { tempDir } from '../helpers/tempDir'

const full = process.env.DGMW_CAMPAIGN_SCALE === 'full'
const total = full ? 50_000 : 10_000
const seed = Number(process.env.DGMW_FUZZ_SEED ?? 18)
const clients = 100
/** Requests a client keeps in flight. */
const window = 4
/** A request unanswered this long is a hang (a finding), not a slow answer. */
const hangMs = 30_000
const errorCodes: ErrorCode[] = [
  'invalid-args',
  'unknown-request',
  'not-found',
  'conflict',
  'failed'
]
/** A reply on the socket (events carry no id). */
type Reply = { id: number | null } & Envelope
const where = `(seed ${seed}; rerun with DGMW_FUZZ_SEED=${seed})`

/** Figures printed at the end, for docs/reliability/bad-requests.md. */
const figures: Record<string, unknown> = { seed, total }

/** Why an answer is wrong, or undefined when it is a typed error or a correct result. */
function problemWith(request: FuzzRequest, reply: unknown, ctx: FuzzContext): string | undefined {
  const message = reply as { id?: unknown } & Partial<Envelope>
  if (typeof message !== 'object' || message === null) return 'reply is not an object'
  if (message.id !== request.replyId) return `reply id ${String(message.id)}`
  if (message.ok === false) {
    const { code, message: text } = message.error ?? {}
    if (!errorCodes.includes(code as ErrorCode)) return `error code ${String(code)}`
    if (typeof text !== 'string' || text.trim() === '') return 'error without a message'
    if (request.replyId === null && code !== 'invalid-args') return `frame refused as ${code}`
    return undefined
  }
  if (message.ok !== true) return 'reply is neither ok nor an error'
  if (!request.valid) return 'invalid arguments accepted'
  if (refusedOnly(request.name)) return 'a writing or long request that must be refused succeeded'
  return wrongResult(
    request.name,
    (request.args ?? {}) as Record<string, unknown>,
    message.value,
    ctx
  )
}

/** Checks what a result can be checked against: the ids asked for, the data directory, sizes. */
function wrongResult(
  name: string,
  args: Record<string, unknown>,
  value: unknown,
  ctx: FuzzContext
): string | undefined {
  const record = value as Record<string, unknown>
  switch (name) {
    case 'app/info':
      return record.dataDir === ctx.dataDir
        ? undefined
        : `app/info dataDir ${String(record.dataDir)}`
    case 'runs/get':
    case 'datasets/get':
      return record.id === args.id
        ? undefined
        : `${name} of ${String(args.id)} gave ${String(record.id)}`
    case 'runs/list':
      return Array.isArray(value) && value.length <= Number(args.limit ?? Infinity)
        ? undefined
        : 'runs/list longer than its limit'
    case 'datasets/list':
      return Array.isArray(value) && value.some((d: { id: number }) => d.id === ctx.datasetId)
        ? undefined
        : 'datasets/list misses the dataset'
    case 'datasets/pixels': {
      const bytes = Buffer.from(String(record.data), 'base64').length
      const per = Number(record.width) * Number(record.height) * Number(record.channels)
      return bytes === per * (args.indices as unknown[]).length ? undefined : 'datasets/pixels size'
    }
    case 'datasets/images': {
      const items = record.items as unknown[]
      return Array.isArray(items) && items.length <= Number(args.limit ?? 200)
        ? undefined
        : 'datasets/images longer than its limit'
    }
    default:
      return undefined
  }
}

async function writeImageFolder(root: string): Promise<void> {
  const colours: Record<string, [number, number, number]> = {
    red: [220, 30, 30],
    blue: [30, 30, 220]
  }
  for (const [label, rgb] of Object.entries(colours)) {
    mkdirSync(join(root, label), { recursive: true })
    for (let i = 0; i < 12; i++) {
      const pixels = Buffer.alloc(24 * 24 * 3)
      for (let p = 0; p < 24 * 24; p++)
        pixels.set(
          rgb.map((c) => (c + i * 7 + (p % 24)) & 255),
          p * 3
        )
      await sharp(pixels, { raw: { width: 24, height: 24, channels: 3 } })
        .png()
        .toFile(join(root, label, `${i}.png`))
    }
  }
}

describe('bad requests over the WebSocket and in-process dispatch', () => {
  let dir: ReturnType<typeof tempDir>
  let workbench: Workbench
  let server: BrowserServer
  let ctx: FuzzContext
  let base: string
  let wsUrl: string
  let before: Map<string, string>
  const unexpected: string[] = []

  const canary = async (): Promise<number> => {
    const ws = await connect(wsUrl)
    try {
      const started = performance.now()
      const reply = await ask(ws, 1, 'app/info', {})
      expect(reply, `canary ${where}`).toMatchObject({ id: 1, ok: true })
      return performance.now() - started
    } finally {
      ws.close()
    }
  }

  beforeAll(async () => {
    dir = tempDir('dgmw-bad-requests-')
    const dataDir = join(dir.path, 'data')
    const rendererDir = join(dir.path, 'renderer')
    mkdirSync(rendererDir)
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>DGM Workbench</title>')
    const seeded = seedHistory(dataDir)
    await writeImageFolder(join(dir.path, 'images'))
    // Exported-looking folders whose metadata.json never ends or never opens: reading must not hang.
    const fifoDir = join(dir.path, 'trap-fifo')
    const zeroDir = join(dir.path, 'trap-zero')
    mkdirSync(fifoDir)
    mkdirSync(zeroDir)
    execFileSync('mkfifo', [join(fifoDir, 'metadata.json')])
    symlinkSync('/dev/zero', join(zeroDir, 'metadata.json'))

    workbench = createWorkbench({
      dataDir,
      backend: 'cpu',
      log: (line) => unexpected.push(line.split('\n')[0])
    })
    const imported = await workbench.dispatch('datasets/import', {
      path: join(dir.path, 'images'),
      size: 32
    })
    if (!imported.ok) throw new Error(`import failed: ${imported.error.message}`)
    const datasetId = (imported.value as { dataset: { id: number } }).dataset.id
    // A deleted run and a deleted dataset, for requests naming what was there.
    const deletedRunId = seeded.runIds[1]
    const deleted = await workbench.dispatch('runs/delete', { id: deletedRunId })
    if (!deleted.ok) throw new Error(`runs/delete failed: ${deleted.error.message}`)
    const again = await workbench.dispatch('datasets/import', {
      path: join(dir.path, 'images'),
      size: 16,
      onExisting: 'reimport'
    })
    if (!again.ok) throw new Error(`second import failed: ${again.error.message}`)
    const deletedDatasetId = (again.value as { dataset: { id: number } }).dataset.id
    const dropped = await workbench.dispatch('datasets/delete', { id: deletedDatasetId })
    if (!dropped.ok) throw new Error(`datasets/delete failed: ${dropped.error.message}`)
    await workbench.engine.ready()

    server = await startBrowserServer({ workbench, rendererDir, port: 0 })
    base = `http://127.0.0.1:${server.port}`
    wsUrl = `ws://127.0.0.1:${server.port}/ws?token=${server.token}`
    ctx = {
      dataDir,
      runIds: [seeded.runIds[0], seeded.runIds[2]],
      deletedRunId,
      datasetId,
      deletedDatasetId,
      experimentId: seeded.experimentId,
      trapDirs: [fifoDir, zeroDir]
    }
    before = hashTree(dataDir)
  }, 60_000)

  afterAll(async () => {
    console.log(`bad-requests figures ${JSON.stringify(figures, null, 1)}`)
    await server?.close()
    await workbench?.close()
    dir?.cleanup()
  })

  it(`answers ${total} generated requests from ${clients} clients with typed errors or correct results`, async () => {
    const random = seededRandom(seed)
    const all = Array.from({ length: total }, (_, i) => generateRequest(random, ctx, i + 1))
    const problems: string[] = []
    const latencies: number[] = []
    const byCategory: Record<string, number> = {}
    const byCode: Record<string, number> = {}
    const failedMessages: Record<string, number> = {}
    const canaryLatencies: number[] = []
    let barrageDone = false

    const sockets = await Promise.all(
      Array.from({ length: clients }, () => connect(wsUrl, { Origin: base }))
    )
    const canaryLoop = (async () => {
      const ws = await connect(wsUrl)
      for (let n = 1; !barrageDone; n++) {
        const started = performance.now()
        const reply = await ask(ws, n, 'app/info', {})
        canaryLatencies.push(performance.now() - started)
        if (!(reply as { ok?: boolean }).ok) problems.push(`canary ${n}: ${JSON.stringify(reply)}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      ws.close()
    })()

    await Promise.all(
      sockets.map(async (ws, c) => {
        const mine = all.filter((_, i) => i % clients === c)
        const waiting = new Map<number, (reply: Reply) => void>()
        const nullReplies: ((reply: Reply) => void)[] = []
        ws.on('message', (data) => {
          const message = JSON.parse(String(data)) as WireMessage
          if (!('id' in message)) return // an event
          const reply: Reply = message
          const resolve = reply.id === null ? nullReplies.shift() : waiting.get(reply.id)
          if (reply.id !== null) waiting.delete(reply.id)
          if (resolve) resolve(reply)
          else problems.push(`client ${c}: unexpected reply ${JSON.stringify(reply).slice(0, 200)}`)
        })
        let next = 0
        const worker = async (): Promise<void> => {
          while (next < mine.length) {
            const request = mine[next++]
            const answered = new Promise<Reply>((resolve) =>
              request.replyId === null
                ? nullReplies.push(resolve)
                : waiting.set(request.replyId, resolve)
            )
            const started = performance.now()
            ws.send(request.frame, { binary: request.binary })
            const reply = await Promise.race([
              answered,
              new Promise<'hang'>((resolve) => setTimeout(() => resolve('hang'), hangMs).unref())
            ])
            const label = `${request.category} ${request.name} ${JSON.stringify(request.args)?.slice(0, 160)}`
            byCategory[request.category] = (byCategory[request.category] ?? 0) + 1
            if (reply === 'hang') {
              problems.push(`no answer in ${hangMs / 1000} s: ${label}`)
              continue
            }
            latencies.push(performance.now() - started)
            const code = reply.ok ? 'ok' : reply.error.code
            byCode[code] = (byCode[code] ?? 0) + 1
            if (!reply.ok && code === 'failed') {
              const key = `${request.name}: ${reply.error.message.slice(0, 90)}`
              failedMessages[key] = (failedMessages[key] ?? 0) + 1
            }
            const problem = problemWith(request, reply, ctx)
            if (problem)
              problems.push(`${problem}: ${label} → ${JSON.stringify(reply).slice(0, 300)}`)
          }
        }
        await Promise.all(Array.from({ length: window }, worker))
        ws.close()
      })
    )
    barrageDone = true
    await canaryLoop

    latencies.sort((a, b) => a - b)
    canaryLatencies.sort((a, b) => a - b)
    const ms = (v: number): number => Math.round(v * 10) / 10
    Object.assign(figures, {
      byCategory,
      byCode,
      latencyMs: {
        p50: ms(percentile(latencies, 50)),
        p95: ms(percentile(latencies, 95)),
        p99: ms(percentile(latencies, 99)),
        max: ms(latencies.at(-1) ?? NaN)
      },
      canary: {
        answered: canaryLatencies.length,
        p50: ms(percentile(canaryLatencies, 50)),
        p95: ms(percentile(canaryLatencies, 95)),
        p99: ms(percentile(canaryLatencies, 99))
      },
      unexpectedExceptions: unexpected.length,
      failedMessages
    })
    expect(problems.slice(0, 20), `${problems.length} wrong answers ${where}`).toEqual([])
    expect(canaryLatencies.length, 'the canary was answered during the barrage').toBeGreaterThan(0)
    expect(Object.values(byCategory).reduce((a, b) => a + b, 0)).toBe(total)
    expect(await canary()).toBeGreaterThan(0)
  }, 600_000)

  it('answers the same generated requests through dispatch, as Electron IPC calls it, with values only structured clone carries', async () => {
    // ipcMain.handle passes (name, args) straight to workbench.dispatch; Electron's structured
    // clone can carry NaN, Infinity, undefined, -0, BigInt, Date, Map, typed arrays and cycles.
    const random = seededRandom(seed + 1)
    const odd: unknown[] = [
      NaN,
      Infinity,
      -Infinity,
      -0,
      undefined,
      10n,
      new Date(0),
      new Map([[1, 2]]),
      new Uint8Array(4),
      Symbol.for('x').description
    ]
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    odd.push(cyclic)
    const count = full ? 10_000 : 2_000
    const problems: string[] = []
    const slowest: Record<string, number> = {}
    for (let i = 0; i < count; i++) {
      const request = generateRequest(random, ctx, i + 1)
      if (request.replyId === null || request.binary) continue
      let args = request.args
      if (args !== null && typeof args === 'object' && !Array.isArray(args) && random() < 0.5) {
        const keys = Object.keys(args)
        const key = keys.length > 0 ? keys[Math.floor(random() * keys.length)] : 'extra'
        const changed = { ...args, [key]: odd[Math.floor(random() * odd.length)] }
        // The odd value must not turn a refused write into a valid one.
        if (!(refusedOnly(request.name) && isValidArgs(request.name, changed))) args = changed
      }
      let reply: unknown
      const started = performance.now()
      try {
        reply = await Promise.race([
          workbench.dispatch(request.name, args),
          new Promise((_, reject) => setTimeout(() => reject(new Error('hang')), hangMs).unref())
        ])
      } catch (error) {
        problems.push(`dispatch threw ${(error as Error).message}: ${request.name}`)
        continue
      }
      slowest[request.name] = (slowest[request.name] ?? 0) + performance.now() - started
      const problem = problemWith(
        { ...request, args, valid: isValidArgs(request.name, args) },
        { id: request.replyId, ...(reply as object) },
        ctx
      )
      if (problem) problems.push(`${problem}: ${request.category} ${request.name}`)
    }
    figures.ipc = {
      dispatched: count,
      slowestMs: Object.entries(slowest)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([name, ms]) => `${name} ${Math.round(ms)}`)
    }
    expect(problems.slice(0, 20), `${problems.length} wrong answers ${where}`).toEqual([])
  }, 300_000)

  it('closes a client whose frame is over the size limit or breaks the protocol, and stays up', async () => {
    const big = await connect(wsUrl)
    big.on('error', () => {})
    const closed = new Promise<number>((resolve) => big.once('close', (code) => resolve(code)))
    big.send(Buffer.alloc(maxMessageBytes + 1024, 0x20))
    expect(await closed).toBe(1009)

    const broken: [string, Buffer][] = [
      ['unmasked frame', clientFrame(1, Buffer.from('{"id":1}'), false)],
      ['invalid UTF-8 text', clientFrame(1, Buffer.from([0xff, 0xfe, 0xfd]))],
      ['reserved opcode', clientFrame(3, Buffer.from('x'))],
      [
        'huge declared length',
        Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4])
      ],
      ['fragmented control frame', Buffer.from([0x09, 0x80, 1, 2, 3, 4])],
      ['garbage', Buffer.from('GET / HTTP/1.1\r\n\r\n')]
    ]
    for (const [what, bytes] of broken) {
      const socket = await rawWebSocket(server.port, `/ws?token=${server.token}`)
      const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()))
      socket.on('error', () => {})
      socket.resume()
      socket.write(bytes)
      await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))])
      expect(socket.destroyed || socket.readableEnded, `${what} closes that client`).toBe(true)
      socket.destroy()
    }
    figures.frames = { oversized: 1, broken: broken.length }
    expect(await canary()).toBeGreaterThan(0)
  })

  it('refuses a wrong Host (DNS rebinding), a missing or wrong token and a foreign Origin, page and socket alike', async () => {
    const port = server.port
    const token = server.token
    const page = async (path: string, headers: Record<string, string>) => {
      const text = await rawExchange(
        port,
        `GET ${path} HTTP/1.1\r\n${Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('')}Connection: close\r\n\r\n`
      )
      return { status: Number(text.split(' ')[1]), text }
    }
    const host = `127.0.0.1:${port}`
    const cases: [string, Promise<{ status: number; text: string }>, number, RegExp][] = [
      [
        'page, rebound host',
        page(`/?token=${token}`, { Host: `evil.example:${port}` }),
        403,
        /answers only to http:\/\/127\.0\.0\.1/
      ],
      ['page, no host', page(`/?token=${token}`, {}), 400, /./],
      [
        'page, host without port',
        page(`/?token=${token}`, { Host: '127.0.0.1' }),
        403,
        /answers only to/
      ],
      ['page, no token', page('/', { Host: host }), 403, /needs its token/],
      ['page, wrong token', page('/?token=0000', { Host: host }), 403, /needs its token/],
      ['page, broken URL', page('http://[', { Host: host }), 400, /Bad request URL/],
      ['page, broken escape', page(`/%E0%A4%A?token=${token}`, { Host: host }), 400, /Bad path/],
      [
        'page, localhost',
        page(`/?token=${token}`, { Host: `localhost:${port}` }),
        200,
        /DGM Workbench/
      ]
    ]
    const socketCase = (path: string, hostHeader: string, extra = '') =>
      rawExchange(port, upgradeRequest(path, hostHeader, extra)).then((text) => ({
        status: Number(text.split(' ')[1]),
        text
      }))
    cases.push(
      [
        'socket, rebound host',
        socketCase(
          `/ws?token=${token}`,
          `evil.example:${port}`,
          `Origin: http://evil.example:${port}\r\n`
        ),
        403,
        /answers only to/
      ],
      [
        'socket, rebound host, no Origin',
        socketCase(`/ws?token=${token}`, `evil.example:${port}`),
        403,
        /answers only to/
      ],
      ['socket, no token', socketCase('/ws', host), 403, /needs the token/],
      ['socket, wrong token', socketCase('/ws?token=nope', host), 403, /needs the token/],
      [
        'socket, foreign Origin',
        socketCase(`/ws?token=${token}`, host, 'Origin: https://evil.example\r\n'),
        403,
        /needs the token/
      ],
      [
        'socket, null Origin',
        socketCase(`/ws?token=${token}`, host, 'Origin: null\r\n'),
        403,
        /needs the token/
      ],
      ['socket, broken URL', socketCase('http://[', host), 400, /Bad request URL/],
      ['socket, other path', socketCase(`/other?token=${token}`, host), 403, /needs the token/],
      ['socket, right host', socketCase(`/ws?token=${token}`, `[::1]:${port}`), 101, /Upgrade/]
    )
    for (const [what, answer, status, text] of cases) {
      const got = await answer
      expect(got.status, `${what}: ${got.text.slice(0, 200)}`).toBe(status)
      expect(got.text, what).toMatch(text)
    }
    figures.refusedConnections = cases.length
    expect(await canary()).toBeGreaterThan(0)
  })

  it('drops a client that never reads instead of buffering for it without bound', async () => {
    const socket = await rawWebSocket(server.port, `/ws?token=${server.token}`)
    socket.on('error', () => {})
    socket.pause() // never read: replies and events pile up on the server's side
    const indices = Array.from({ length: 1000 }, (_, i) => i % 24)
    const heapBefore = process.memoryUsage()
    const requests = 64
    for (let id = 1; id <= requests; id++)
      socket.write(
        clientFrame(
          1,
          Buffer.from(
            JSON.stringify({ id, name: 'datasets/pixels', args: { id: ctx.datasetId, indices } })
          )
        )
      )
    // Events keep coming too (each subscribed client gets every one).
    for (let n = 0; n < 20_000; n++)
      workbench.bus.emit('run/status', { runId: 1, status: 'running' })
    await new Promise((resolve) => setTimeout(resolve, 3000))
    const heapDuring = process.memoryUsage()
    // Now read everything the server sent: it must stop (the server cut it off) well short of all replies.
    let received = 0
    const ended = new Promise<void>((resolve) => {
      socket.on('close', () => resolve())
      socket.on('end', () => resolve())
    })
    socket.on('data', (d) => (received += d.length))
    socket.resume()
    await Promise.race([ended, new Promise((r) => setTimeout(r, 15_000))])
    const replyBytes = Math.ceil((1000 * 32 * 32 * 3 * 4) / 3)
    figures.slowConsumer = {
      requests,
      replyMiB: Math.round((requests * replyBytes) / 2 ** 20),
      receivedMiB: Math.round(received / 2 ** 20),
      limitMiB: maxUnreadBytes / 2 ** 20,
      heapGrowthMiB: Math.round(
        (heapDuring.heapUsed + heapDuring.external - heapBefore.heapUsed - heapBefore.external) /
          2 ** 20
      ),
      rssMiB: Math.round(heapDuring.rss / 2 ** 20)
    }
    expect(socket.readableEnded || socket.destroyed, 'the server closed the slow client').toBe(true)
    expect(received, 'it got less than every reply').toBeLessThan(requests * replyBytes)
    socket.destroy()
    expect(await canary()).toBeGreaterThan(0)
  }, 60_000)

  it('leaves every file of the data directory as it was', () => {
    expect(treeChanges(before, hashTree(ctx.dataDir)), where).toEqual([])
    figures.dataDirFiles = before.size
  })

  it('does what valid writing requests ask, and keeps uploads inside their folder', async () => {
    const ws = await connect(wsUrl)
    let id = 0
    const call = async (name: string, args: unknown): Promise<Reply> =>
      (await ask(ws, ++id, name, args)) as Reply
    const value = <T>(reply: Reply): T => {
      if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`)
      return reply.value as T
    }
    const [run] = ctx.runIds
    expect(
      value<{ id: number; name: string }>(await call('runs/update', { id: run, name: 'fuzzed' }))
    ).toMatchObject({ id: run, name: 'fuzzed' })
    expect(
      value<{ name: string }>(await call('datasets/rename', { id: ctx.datasetId, name: 'renamed' }))
        .name
    ).toBe('renamed')
    expect(await call('runs/update', { id: ctx.deletedRunId, name: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' }
    })

    const { uploadId } = value<{ uploadId: string }>(
      await call('uploads/begin', { name: '../../escape' })
    )
    const escapes = [
      '../../outside.png',
      '/abs.png',
      'a/../../b.png',
      'a\\..\\..\\c.png',
      'x/\u0000.png',
      '.',
      'a//b.png'
    ]
    for (const path of escapes)
      expect(await call('uploads/file', { uploadId, path, data: 'AAAA' }), path).toMatchObject({
        ok: false,
        error: { code: 'invalid-args' }
      })
    value(await call('uploads/file', { uploadId, path: 'cat/1.png', data: 'AAAA' }))
    const { path: folder } = value<{ path: string }>(await call('uploads/finish', { uploadId }))
    expect(folder.startsWith(join(ctx.dataDir, 'uploads', uploadId) + '/'), folder).toBe(true)
    const added = treeChanges(before, hashTree(ctx.dataDir)).filter((line) =>
      line.startsWith('added')
    )
    expect(
      added.every((line) => line.startsWith('added uploads/')),
      added.join('\n')
    ).toBe(true)
    value(await call('uploads/discard', { path: folder }))
    expect(treeChanges(before, hashTree(ctx.dataDir)).filter((l) => l.includes(uploadId))).toEqual(
      []
    )
    ws.close()
  })
})

/** One request on an open socket; resolves with its reply (events and other replies are skipped). */
function ask(ws: WebSocket, id: number, name: string, args: unknown): Promise<WireMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} unanswered ${where}`)), hangMs)
    const onMessage = (data: WebSocket.RawData): void => {
      const message = JSON.parse(String(data)) as WireMessage
      if ('id' in message && message.id === id) {
        clearTimeout(timer)
        ws.off('message', onMessage)
        resolve(message)
      }
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify({ id, name, args }))
  })
}

function isValidArgs(name: string, args: unknown): boolean {
  return (
    Object.hasOwn(requests, name) &&
    requests[name as RequestName].args.safeParse(args ?? {}).success
  )
}
