import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

/** Runs a script in a fresh Node process (the wasm backend registers globally). */
function runScript(
  code: string,
  env: Record<string, string>
): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: join(__dirname, '../../..'),
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000
  })
}

const probe = `
const tf = require('@tensorflow/tfjs-core')
const { selectBackend } = require('./main/compute/backendProbe')
selectBackend('wasm').then((status) => {
  const a = tf.tensor2d(Array.from({ length: 64 * 48 }, (_, i) => Math.sin(i)), [64, 48])
  const b = tf.tensor2d(Array.from({ length: 48 * 32 }, (_, i) => Math.cos(i)), [48, 32])
  const product = Array.from(tf.matMul(a, b).dataSync()).reduce((s, v) => s + v, 0)
  const shared = tf.backend().wasm.wasmMemory?.buffer instanceof SharedArrayBuffer
  console.log(JSON.stringify({ active: status.active, threads: status.threads, shared, product }))
  process.exit(0)
})
`

describe('the threaded wasm build in Node', () => {
  it('starts from file paths instead of blob: URLs, uses every core and computes what the plain build computes', () => {
    const plain = runScript(probe, { DGMW_WASM_THREADED: '0' })
    const threaded = runScript(probe, { DGMW_WASM_THREADED: '1' })
    expect(plain.status, plain.stderr).toBe(0)
    expect(threaded.status, threaded.stderr).toBe(0)
    const a = JSON.parse(plain.stdout.trim().split('\n').at(-1)!)
    const b = JSON.parse(threaded.stdout.trim().split('\n').at(-1)!)
    expect(a).toMatchObject({ active: 'wasm', shared: false })
    expect(b).toMatchObject({
      active: 'wasm',
      shared: true,
      threads: Math.min(8, availableParallelism())
    })
    expect(a.threads).toBe(1)
    expect(Math.abs(a.product - b.product)).toBeLessThan(1e-3)
  })
})
