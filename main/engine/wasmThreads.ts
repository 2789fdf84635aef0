/**
 * Lets @tensorflow/tfjs-backend-wasm run its multi-threaded SIMD build in Node. The package turns
 * threads off in Node (its WASM_HAS_MULTITHREAD_SUPPORT flag is false whenever IS_NODE, tfjs#3830)
 * and silently uses the single-threaded SIMD build, because emscripten starts its pthread workers
 * from `blob:` URLs, which Node's worker_threads refuse; Node accepts file paths. So, only while the
 * backend initialises: the thread flag is set, Blob contents are recorded as they are made, and
 * URL.createObjectURL writes the worker script to a file and returns its path. The worker script
 * is given the main script's file path too (it would otherwise import it from a blob: URL).
 * Everything is checked first; when the package is not the one this was written for, or the
 * threaded start fails, the single-threaded build is started instead and the reason is reported.
 *
 * This patches globals for the length of the start-up rather than compiling a patched copy of the
 * package, so the one registered 'wasm' backend and the one tfjs-core instance stay the package's
 * own, however the app is bundled. While the patches are on, os.cpus, Blob, URL.createObjectURL
 * and worker_threads.Worker are not the originals for any other code in this thread.
 *
 * More details: the C++ side sizes XNNPACK's pool as min(wanted, 8, logical cores / 2), which on a
 * 2-vCPU machine is one thread, so os.cpus() briefly reports twice the wanted count. Emscripten
 * throws a pthread worker's error from its listener (ending the process) and then waits for that
 * worker forever, so during start-up such an error, or a start that takes too long, ends the
 * attempt instead. It keeps running pthread workers referenced, which would keep Node alive
 * forever, so once started they are unreferenced; and the idle ones of its fixed pool of 8 are
 * ended.
 */
import { createHash } from 'node:crypto'
import { lstatSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { join } from 'node:path'
import workerThreads from 'node:worker_threads'
import { env, findBackend, setBackend } from '@tensorflow/tfjs-core'
import { writeFileAtomic } from '../platform/atomicWrite'

const nodeRequire = createRequire(__filename)
const packageName = '@tensorflow/tfjs-backend-wasm'

/** How the pthread worker loads the main script; replaced by a plain file import. */
const workerImport =
  'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}'

/** What the package's `init()` wraps the threaded factory's source in (mainScriptUrlOrBlob). */
const mainScriptStart = 'var WasmBackendModuleThreadedSimd = '

/** How the wasm backend was started. */
export interface WasmStart {
  /** Whether the 'wasm' backend is now the active tfjs backend. */
  ok: boolean
  /** Whether it runs the multi-threaded build. */
  threaded: boolean
  /** The threads XNNPACK uses, as the package reports them (1 single-threaded). */
  threads: number
  /** Why the single-threaded build is used, in words; absent when threaded. */
  reason?: string
}

/** Options for {@link startWasmBackend}. */
export interface WasmStartOptions {
  /** Threads wanted, capped at 8 by the package (default: os.availableParallelism()). */
  threads?: number
  /** How long the threaded start may take before the single-threaded build is used instead. */
  timeoutMs?: number
}

/**
 * The folder the scripts go in: one per user and private to them, because the files in it are
 * executed and a shared temp folder would let another user plant one.
 */
function scriptDir(): string {
  const uid = process.getuid?.()
  const dir = join(
    os.tmpdir(),
    uid === undefined ? 'dgmw-wasm-threads' : `dgmw-wasm-threads-${uid}`
  )
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const stat = lstatSync(dir)
  if (!stat.isDirectory() || (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o022) !== 0)))
    throw new Error(`${dir} is not a folder only this user can write to`)
  return dir
}

/** Writes `text` to a content-addressed file in `dir` (atomically) and returns its path. */
function scriptFile(dir: string, text: string, suffix: string): string {
  const name = `${createHash('sha256').update(text).digest('hex').slice(0, 16)}${suffix}`
  const file = join(dir, name)
  let current: string | undefined
  try {
    current = readFileSync(file, 'utf8')
  } catch {
    current = undefined
  }
  // Compared, not trusted by name: a half-written or altered file must not be executed.
  if (current !== text) {
    writeFileAtomic(file, text, { mode: 0o600 })
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
function inspectPackage(): { prelude: string; dir: string } | { reason: string } {
  if (typeof SharedArrayBuffer === 'undefined')
    return { reason: 'SharedArrayBuffer is not available' }
  let bundle: string
  try {
    bundle = readFileSync(nodeRequire.resolve(packageName), 'utf8')
  } catch (error) {
    return { reason: `tfjs-backend-wasm not found: ${(error as Error).message}` }
  }
  // Each pattern the patches rely on must be in the bundle that runs, or the package has changed.
  // The pthread worker script is embedded there as a string literal, hence the JSON form.
  if (!bundle.includes(JSON.stringify(workerImport).slice(1, -1)))
    return { reason: 'the installed tfjs-backend-wasm has a different pthread worker script' }
  if (!bundle.includes(`new Blob(["${mainScriptStart}"`))
    return { reason: 'the installed tfjs-backend-wasm builds its main script differently' }
  const prelude = bundleRequires(bundle)
  if (
    !bundle.includes('return require$$4.cpus().length') ||
    !prelude.includes("require$$4 = require('os')")
  )
    return { reason: 'the installed tfjs-backend-wasm counts cores differently' }
  if (!prelude.includes('commonjsGlobal = '))
    return { reason: 'the installed tfjs-backend-wasm bundle has an unexpected layout' }
  try {
    return { prelude, dir: scriptDir() }
  } catch (error) {
    return { reason: `no folder for the thread scripts: ${(error as Error).message}` }
  }
}

type NodeWorker = InstanceType<typeof workerThreads.Worker>

/** The patches for one threaded start, and what they saw. */
interface ThreadedAttempt {
  /** Settles with the first error a pthread worker raised while starting. */
  failed: Promise<Error>
  /** An error the patches themselves met (e.g. writing a script), if any. */
  problem(): Error | undefined
  /** Whether the package built the threaded main script, i.e. its threaded start really ran. */
  ran(): boolean
  /** Undoes the patches; call as soon as the start is over, whatever its outcome. */
  restore(): void
  /**
   * After a successful start: hands later pthread errors back to emscripten and lets the process
   * exit while the pthread workers idle.
   */
  succeeded(): void
  /** After a failed start: ends every pthread worker it made. */
  terminate(): void
}

function patchForThreads(threads: number, prelude: string, dir: string): ThreadedAttempt {
  const OriginalBlob = globalThis.Blob
  const originalCreate = URL.createObjectURL
  const originalCpus = os.cpus
  const OriginalWorker = workerThreads.Worker
  const texts = new WeakMap<Blob, string>()
  const workers: NodeWorker[] = []
  let mainScript: string | undefined
  let problem: Error | undefined
  let started = false
  let fail!: (error: Error) => void
  const failed = new Promise<Error>((resolve) => (fail = resolve))

  class RecordingBlob extends OriginalBlob {
    constructor(...args: ConstructorParameters<typeof Blob>) {
      super(...args)
      const parts = args[0] ?? []
      if (parts.every((p) => typeof p === 'string')) {
        const text = (parts as string[]).join('')
        texts.set(this, text)
        // The main script is built first (mainScriptUrlOrBlob), before any worker starts.
        if (text.startsWith(mainScriptStart)) {
          try {
            mainScript = scriptFile(dir, `${prelude}\n${text}`, '-main.js')
          } catch (error) {
            problem ??= error as Error
            throw error
          }
        }
      }
    }
  }

  URL.createObjectURL = (blob: Blob): string => {
    const text = texts.get(blob)
    if (text === undefined || !mainScript || !text.includes(workerImport))
      return originalCreate(blob)
    try {
      return scriptFile(
        dir,
        text.replace(workerImport, `importScripts(${JSON.stringify(mainScript)});`),
        '-worker.js'
      )
    } catch (error) {
      problem ??= error as Error
      throw error
    }
  }

  // Emscripten throws a pthread worker's error from its listener, which would end the process, and
  // then waits forever for that worker to load; until the start has succeeded, an error ends the
  // attempt instead (and errors from the other workers of a failed attempt are dropped).
  class GuardedWorker extends OriginalWorker {
    constructor(...args: ConstructorParameters<typeof OriginalWorker>) {
      super(...args)
      workers.push(this)
    }
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event !== 'error' || started) return super.emit(event, ...args)
      fail(args[0] instanceof Error ? args[0] : new Error(String(args[0])))
      return true
    }
    // The pool threads idle in Atomics.wait between kernels and never end on their own.
    override ref(): void {
      if (!started) super.ref()
    }
  }
  ;(workerThreads as { Worker: typeof OriginalWorker }).Worker = GuardedWorker
  globalThis.Blob = RecordingBlob

  // The C++ side caps its pool at emscripten_num_logical_cores() / 2 (assuming two hardware
  // threads per core), read from os.cpus() during start-up; report twice the threads wanted.
  os.cpus = () => Array.from({ length: 2 * threads }, () => originalCpus()[0])
  env().set('WASM_HAS_MULTITHREAD_SUPPORT', true)

  return {
    failed,
    problem: () => problem,
    ran: () => mainScript !== undefined,
    restore: () => {
      globalThis.Blob = OriginalBlob
      URL.createObjectURL = originalCreate
      os.cpus = originalCpus
      ;(workerThreads as { Worker: typeof OriginalWorker }).Worker = OriginalWorker
    },
    succeeded: () => {
      started = true
      for (const worker of workers) worker.unref()
    },
    terminate: () => {
      for (const worker of workers) void worker.terminate()
    }
  }
}

/**
 * Ends the pthread workers emscripten made up front but XNNPACK's pool does not use (its pool size
 * is fixed at 8 in the package's build; each idle worker holds a Node isolate, ~13 MiB). Emscripten
 * makes a new worker should a thread ever be created later. Best effort: `Module.PThread` is
 * emscripten's own bookkeeping, so nothing is done unless it has the expected shape.
 */
function releaseIdleWorkers(): void {
  const backend = findBackend('wasm') as { wasm?: { PThread?: { unusedWorkers?: unknown } } } | null
  const pthread = backend?.wasm?.PThread
  const idle = pthread?.unusedWorkers
  if (!pthread || !Array.isArray(idle) || !idle.every((w) => w instanceof workerThreads.Worker))
    return
  pthread.unusedWorkers = []
  for (const worker of idle as NodeWorker[]) void worker.terminate()
}

/** The package's own report of the threads its pool uses. */
function reportedThreads(): number {
  const wasm = nodeRequire(packageName) as { getThreadsCount(): number }
  return wasm.getThreadsCount()
}

async function startSingleThreaded(reason: string): Promise<WasmStart> {
  env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
  const ok = await setBackend('wasm')
  return { ok, threaded: false, threads: ok ? reportedThreads() : 0, reason }
}

let startOnce: Promise<WasmStart> | undefined

/**
 * Makes 'wasm' the active tfjs backend, with the package's multi-threaded SIMD build when it can
 * start in this process and its single-threaded build otherwise. The package registers the
 * backend globally and loads its wasm module once per thread, so later calls return the first
 * call's result (and ignore their options), and any other code must not initialise the wasm
 * backend before this does.
 *
 * @returns whether the backend started, whether it is threaded, the threads the package reports,
 *   and, when single-threaded, why.
 */
export function startWasmBackend(options: WasmStartOptions = {}): Promise<WasmStart> {
  startOnce ??= start(options)
  return startOnce
}

async function start(options: WasmStartOptions): Promise<WasmStart> {
  const asked = Number.isFinite(options.threads) ? options.threads! : os.availableParallelism()
  const wanted = Math.min(8, Math.max(1, Math.floor(asked)))
  // Loading the package registers the 'wasm' backend; it is the only place that does.
  const wasm = nodeRequire(packageName) as { setThreadsCount(n: number): void }
  wasm.setThreadsCount(wanted)
  if (wanted < 2) return startSingleThreaded('one thread asked for')
  const inspected = inspectPackage()
  if ('reason' in inspected) return startSingleThreaded(inspected.reason)

  const attempt = patchForThreads(wanted, inspected.prelude, inspected.dir)
  const timeoutMs = options.timeoutMs ?? 30_000
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<Error>((resolve) => {
    timer = setTimeout(
      () => resolve(new Error(`it did not start within ${timeoutMs / 1000} s`)),
      timeoutMs
    )
  })
  let outcome: true | Error
  try {
    outcome = await Promise.race([
      setBackend('wasm').then(
        (ok) => ok || (attempt.problem() ?? new Error('its initialisation failed')),
        (error: unknown) => (error instanceof Error ? error : new Error(String(error)))
      ),
      attempt.failed,
      timedOut
    ])
  } finally {
    clearTimeout(timer)
    attempt.restore()
  }
  if (outcome === true) {
    attempt.succeeded()
    releaseIdleWorkers()
    const threads = reportedThreads()
    if (threads > 1) return { ok: true, threaded: true, threads }
    const reason = attempt.ran()
      ? 'the threaded build started with a pool of one thread'
      : 'the wasm backend had been started single-threaded before'
    return { ok: true, threaded: false, threads, reason }
  }
  // A later setBackend supersedes the stalled start in tfjs-core; its workers are ended here.
  attempt.terminate()
  return startSingleThreaded(`the threaded build did not start: ${outcome.message}`)
}
