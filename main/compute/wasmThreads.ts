/**
 * Lets @tensorflow/tfjs-backend-wasm run its multi-threaded SIMD build in Node. The package turns
 * threads off in Node (tfjs#3830) because emscripten starts its pthread workers from `blob:` URLs,
 * which Node's worker_threads refuse; Node accepts file paths. So, only while the backend
 * initialises: the thread flag is set, Blob contents are recorded as they are made, and
 * URL.createObjectURL writes the worker script to a file and returns its path. The worker script
 * is given the main script's file path too (it would otherwise import it from a blob: URL).
 * Everything is checked first; when the package is not the one this was written for, threads are
 * simply not enabled and the reason is reported.
 *
 * One more detail: the C++ side sizes XNNPACK's pool as min(wanted, 8, logical cores / 2), which
 * on a 2-vCPU machine is one thread; os.cpus() is briefly made to report twice the wanted count.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os, { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { env } from '@tensorflow/tfjs-core'

const nodeRequire = createRequire(__filename)

/** How the pthread worker loads the main script; replaced by a plain file import. */
const workerImport =
  'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}'

/** Writes `text` to a content-addressed file (atomically) and returns its path. */
function scriptFile(text: string, suffix: string): string {
  const dir = join(tmpdir(), 'dgmw-wasm-threads')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 16)}${suffix}`)
  if (!existsSync(file)) {
    const temp = `${file}.${process.pid}.tmp`
    writeFileSync(temp, text)
    renameSync(temp, file)
  }
  return file
}

/**
 * The Node bundle's top-level `var require$$N = require('…')` and `commonjsGlobal` lines: the
 * factory's source refers to them, so the main script needs them when a pthread worker evaluates
 * it on its own.
 */
function bundleRequires(bundle: string): string {
  const lines = bundle.match(
    /^var (require\$\$\d+ = require\('[\w:/-]+'\)|commonjsGlobal = .*);$/gm
  )
  return (lines ?? []).join('\n')
}

/** The prelude for the main script, or why threads cannot be used with the installed package. */
function inspectPackage(): { prelude: string } | { reason: string } {
  if (typeof SharedArrayBuffer === 'undefined')
    return { reason: 'SharedArrayBuffer is not available' }
  try {
    const pkg = dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json'))
    const worker = readFileSync(
      join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'),
      'utf8'
    )
    if (!worker.includes(workerImport))
      return { reason: 'the installed tfjs-backend-wasm has a different pthread worker script' }
    const prelude = bundleRequires(
      readFileSync(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm'), 'utf8')
    )
    if (!prelude)
      return { reason: 'the installed tfjs-backend-wasm bundle has an unexpected layout' }
    return { prelude }
  } catch (error) {
    return { reason: `tfjs-backend-wasm files not found: ${(error as Error).message}` }
  }
}

/**
 * Prepares the next wasm backend initialisation to use threads. Returns `restore`, to call once
 * initialisation is over (the patches must not outlive it), or the reason threads are off.
 */
export function prepareWasmThreads(threads: number): { restore: () => void } | { reason: string } {
  const inspected = inspectPackage()
  if ('reason' in inspected) return inspected
  const { prelude } = inspected
  const OriginalBlob = globalThis.Blob
  const originalCreate = URL.createObjectURL
  const texts = new WeakMap<Blob, string>()
  let mainScript: string | undefined

  class RecordingBlob extends OriginalBlob {
    constructor(...args: ConstructorParameters<typeof Blob>) {
      super(...args)
      const parts = args[0] ?? []
      if (parts.every((p) => typeof p === 'string')) {
        const text = (parts as string[]).join('')
        texts.set(this, text)
        // The main script is built first (mainScriptUrlOrBlob), before any worker starts.
        if (text.startsWith('var WasmBackendModuleThreadedSimd'))
          mainScript = scriptFile(`${prelude}\n${text}`, '-main.js')
      }
    }
  }
  globalThis.Blob = RecordingBlob
  URL.createObjectURL = (blob: Blob): string => {
    const text = texts.get(blob)
    if (text === undefined || !mainScript || !text.includes(workerImport))
      return originalCreate(blob)
    return scriptFile(
      text.replace(workerImport, `importScripts(${JSON.stringify(mainScript)});`),
      '-worker.js'
    )
  }
  // The C++ side caps its pool at emscripten_num_logical_cores() / 2 (assuming two hardware
  // threads per core), read from os.cpus() during start-up; report twice the threads wanted.
  const originalCpus = os.cpus
  os.cpus = () => Array.from({ length: 2 * threads }, () => originalCpus()[0])
  env().set('WASM_HAS_MULTITHREAD_SUPPORT', true)
  return {
    restore: () => {
      globalThis.Blob = OriginalBlob
      URL.createObjectURL = originalCreate
      os.cpus = originalCpus
    }
  }
}

/** Turns the thread flag back off, for a single-threaded retry after a failed threaded start. */
export function disableWasmThreads(): void {
  env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
}
