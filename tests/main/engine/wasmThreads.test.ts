import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(__dirname, '../../..')
const cores = availableParallelism()
const expectedThreads = Math.min(8, cores)

/**
 * Runs a script in a fresh Node process, because the wasm backend registers globally and loads
 * its module once. The scripts never call process.exit: a zero status within the time limit also
 * shows that the pthread workers do not keep Node alive.
 */
function runScript(
  code: string,
  env: Record<string, string> = {}
): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000
  })
  return { ...result, signal: result.signal }
}

/** The last line of a script's output, as JSON. */
function lastJson<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T
}

interface Comparison {
  start: { ok: boolean; threaded: boolean; threads: number; reason?: string }
  backend: string
  shared: boolean
  /** Max |wasm - cpu| / max(1, max |cpu|) per case. */
  errors: Record<string, number>
}

/**
 * Starts the wasm backend with THREADS threads, runs a matMul and convolutions on it and on the
 * cpu backend, and optionally times a 1024×1024 matMul and a [64,28,28,32]×[3,3,32,64] convolution.
 */
const compareScript = `
const tf = require('@tensorflow/tfjs-core')
require('@tensorflow/tfjs-backend-cpu')
const { startWasmBackend } = require('./main/engine/wasmThreads')
const values = (n, seed) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed))
const inputs = {
  a: [values(256 * 256, 1), [256, 256]],
  b: [values(256 * 256, 2), [256, 256]],
  x: [values(8 * 28 * 28 * 16, 3), [8, 28, 28, 16]],
  f: [values(3 * 3 * 16 * 32, 4), [3, 3, 16, 32]]
}
// Values are read outside tf.tidy: tidy walks its result, every element of a typed array too.
function cases() {
  const outputs = tf.tidy(() => {
    const t = Object.fromEntries(Object.entries(inputs).map(([k, [v, s]]) => [k, tf.tensor(v, s)]))
    return {
      matMul256: tf.matMul(t.a, t.b),
      conv2dSame: tf.conv2d(t.x, t.f, 1, 'same'),
      conv2dStrided: tf.conv2d(t.x, t.f, 2, 'valid')
    }
  })
  const values = Object.fromEntries(Object.entries(outputs).map(([k, y]) => [k, y.dataSync()]))
  tf.dispose(outputs)
  return values
}
startWasmBackend({ threads: Number(process.env.THREADS) }).then(async (start) => {
  const backend = tf.getBackend()
  const shared = tf.backend().wasm.wasmMemory?.buffer instanceof SharedArrayBuffer
  const wasm = cases()
  await tf.setBackend('cpu')
  const cpu = cases()
  const errors = {}
  for (const name of Object.keys(cpu)) {
    let diff = 0, scale = 1
    for (let i = 0; i < cpu[name].length; i++) {
      diff = Math.max(diff, Math.abs(wasm[name][i] - cpu[name][i]))
      scale = Math.max(scale, Math.abs(cpu[name][i]))
    }
    errors[name] = cpu[name].length === wasm[name].length ? diff / scale : Infinity
  }
  console.log(JSON.stringify({ start, backend, shared, errors }))
})
`

describe('the threaded wasm build in Node', () => {
  it('starts from file paths, uses every core, matches the cpu backend and lets Node exit', () => {
    const run = runScript(compareScript, { THREADS: String(cores) })
    expect(run.signal, run.stderr).toBeNull()
    expect(run.status, run.stderr).toBe(0)
    const result = lastJson<Comparison>(run.stdout)
    expect(result.backend).toBe('wasm')
    if (cores > 1) {
      expect(result.start).toMatchObject({ ok: true, threaded: true, threads: expectedThreads })
      expect(result.start.threads).toBeGreaterThan(1)
      expect(result.shared).toBe(true)
    } else expect(result.start).toMatchObject({ ok: true, threaded: false })
    for (const [name, error] of Object.entries(result.errors))
      expect(error, name).toBeLessThanOrEqual(1e-4)
  })

  it('runs single-threaded when one thread is asked for, with the same results', () => {
    const run = runScript(compareScript, { THREADS: '1' })
    expect(run.status, run.stderr).toBe(0)
    const result = lastJson<Comparison>(run.stdout)
    expect(result).toMatchObject({
      backend: 'wasm',
      shared: false,
      start: { ok: true, threaded: false, threads: 1, reason: 'one thread asked for' }
    })
    for (const [name, error] of Object.entries(result.errors))
      expect(error, name).toBeLessThanOrEqual(1e-4)
  })

  it('falls back to the single-threaded build, with the reason, when a pthread worker fails', () => {
    // Every worker the threaded build starts runs a script that throws, as a broken package would.
    const run = runScript(`
      const threads = require('worker_threads')
      const Original = threads.Worker
      threads.Worker = class extends Original {
        constructor(_file, options) { super('throw new Error("planted failure")', { ...options, eval: true }) }
      }
      const tf = require('@tensorflow/tfjs-core')
      const { startWasmBackend } = require('./main/engine/wasmThreads')
      startWasmBackend({ threads: 2 }).then((start) => {
        const sum = tf.sum(tf.matMul(tf.ones([8, 8]), tf.ones([8, 8]))).dataSync()[0]
        console.log(JSON.stringify({ start, backend: tf.getBackend(), sum }))
      })
    `)
    expect(run.status, run.stderr).toBe(0)
    expect(lastJson(run.stdout)).toMatchObject({
      start: {
        ok: true,
        threaded: false,
        threads: 1,
        reason: 'the threaded build did not start: planted failure'
      },
      backend: 'wasm',
      sum: 512
    })
  })

  it('reports the threads through the backend ladder, as `dgmw doctor` shows them', () => {
    const probe = `
      const { selectBackend } = require('./main/engine/backendProbe')
      selectBackend('wasm').then((status) => console.log(JSON.stringify(status)))
    `
    const threaded = runScript(probe)
    const plain = runScript(probe, { DGMW_WASM_THREADED: '0' })
    expect(threaded.status, threaded.stderr).toBe(0)
    expect(plain.status, plain.stderr).toBe(0)
    expect(lastJson(threaded.stdout)).toMatchObject({ active: 'wasm', threads: expectedThreads })
    expect(lastJson(plain.stdout)).toMatchObject({ active: 'wasm', threads: 1 })
  })

  it('ends with the engine worker when the host terminates it', () => {
    const run = runScript(`
      const { join } = require('path')
      const { startWorkerThread } = require('./main/platform/workerThread')
      const worker = startWorkerThread('engineWorker', join(process.cwd(), 'main/engine'), { forced: 'wasm' })
      worker.on('message', async (message) => {
        if (message.type !== 'status') return
        const exitCode = await worker.terminate()
        console.log(JSON.stringify({ status: message.status, exitCode }))
      })
    `)
    expect(run.signal, run.stderr).toBeNull()
    expect(run.status, run.stderr).toBe(0)
    expect(lastJson(run.stdout)).toMatchObject({
      status: { state: 'ready', active: 'wasm', threads: expectedThreads },
      exitCode: 1
    })
  })
})
