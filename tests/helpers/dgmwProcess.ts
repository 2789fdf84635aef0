import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import WebSocket from 'ws'
import type { EventName, EventPayload, WireMessage } from '../../preload/contract'

const bin = join(__dirname, '../../bin/dgmw.cjs')

export interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

/** Spawns the built `dgmw` on `dataDir` (wasm backend) without waiting for it. */
export function spawnDgmw(dataDir: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [bin, ...args, '--data-dir', dataDir, '--backend', 'wasm'], {
    env: { ...process.env, DGMW_BACKEND: '' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
}

/** Runs `dgmw` as a separate process to its end; killed (and rejected) after `timeoutMs`. */
export function runDgmw(dataDir: string, args: string[], timeoutMs = 120_000): Promise<Finished> {
  return finished(spawnDgmw(dataDir, args), timeoutMs)
}

/** Collects a spawned `dgmw`'s output until it ends; killed (and rejected) after `timeoutMs`. */
export function finished(child: ChildProcess, timeoutMs = 120_000): Promise<Finished> {
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => (stdout += d))
  child.stderr!.on('data', (d: Buffer) => (stderr += d))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(
          `dgmw ${child.spawnargs.slice(2).join(' ')} ran past ${timeoutMs} ms; stderr: ${stderr}`
        )
      )
    }, timeoutMs)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

export interface Served {
  child: ChildProcess
  pid: number
  /** Sends a contract request over the socket and resolves with its envelope. */
  call(name: string, args?: unknown): Promise<WireMessage>
  /** Every event the server pushed, in order. */
  events: { event: EventName; payload: EventPayload<EventName> }[]
  /** Ctrl-C (SIGTERM) and wait for the process to end. */
  stop(): Promise<number | null>
}

/** Starts `dgmw serve --port 0 --json` on `dataDir` and connects to its WebSocket with the token. */
export async function startServe(dataDir: string, timeoutMs = 60_000): Promise<Served> {
  const child = spawnDgmw(dataDir, ['serve', '--port', '0', '--json'])
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d))
  const info = await new Promise<{ port: number; token: string }>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(
      () => reject(new Error(`dgmw serve did not start in ${timeoutMs} ms: ${stderr}`)),
      timeoutMs
    )
    child.stdout!.on('data', (d: Buffer) => {
      out += d
      try {
        const parsed = JSON.parse(out) as { port: number; token: string }
        clearTimeout(timer)
        resolve(parsed)
      } catch {
        // the JSON document is not complete yet
      }
    })
    child.once('close', (code) => reject(new Error(`dgmw serve ended (${code}): ${stderr}`)))
  })
  const base = `127.0.0.1:${info.port}`
  const ws = new WebSocket(`ws://${base}/ws?token=${info.token}`, {
    headers: { Origin: `http://${base}` }
  })
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const events: Served['events'] = []
  const pending = new Map<number, (m: WireMessage) => void>()
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as WireMessage
    if ('event' in message) events.push(message as Served['events'][number])
    else if (message.id !== null) pending.get(message.id)?.(message)
  })
  let nextId = 1
  return {
    child,
    pid: child.pid!,
    events,
    call(name, args = {}) {
      const id = nextId++
      return new Promise((resolve) => {
        pending.set(id, resolve)
        ws.send(JSON.stringify({ id, name, args }))
      })
    },
    stop() {
      ws.close()
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode)
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
        child.once('close', (code) => {
          clearTimeout(timer)
          resolve(code)
        })
        child.kill('SIGTERM')
      })
    }
  }
}

/** The value of a successful envelope; throws with the error message otherwise. */
export function valueOf<T>(message: WireMessage): T {
  if ('ok' in message && message.ok) return message.value as T
  throw new Error(`request failed: ${JSON.stringify(message)}`)
}
