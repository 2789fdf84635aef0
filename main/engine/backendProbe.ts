/**
 * Picks the tensor backend: the first rung of the ladder that loads, or the one a setting forces.
 * Runs inside the engine worker (or the `dgmw doctor` process): the native TensorFlow addon may be
 * loaded only once per process, so nothing else should load it.
 */
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import {
  backendNames,
  type BackendName,
  type BackendRung,
  type EngineStatus,
  type GpuAdapterReport
} from '../../preload/contract'
import { backendPackages } from './backendPackages'
import { findCudaLibraries } from '../platform/cudaLibraries'
import { registerWasmTrainingKernels } from './wasmKernels'
import { startWasmBackend } from './wasmThreads'
import { startWebgpu } from './webgpuBackend'

const nodeRequire = createRequire(__filename)

type Attempt =
  | { loaded: true; version?: string; threads: number; note?: string; adapter?: GpuAdapterReport }
  | { loaded: false; reason: string; version?: string; adapter?: GpuAdapterReport }

function packageVersion(pkg: string): string | undefined {
  try {
    return (nodeRequire(`${pkg}/package.json`) as { version: string }).version
  } catch {
    return undefined
  }
}

async function tryNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<Attempt> {
  const pkg = backendPackages[name]
  const version = packageVersion(pkg)
  if (!version) {
    return {
      loaded: false,
      reason:
        `${pkg} is not installed. It is an optional dependency whose install downloads libtensorflow, ` +
        `so it is skipped without network access. Install it with \`npm install ${pkg}\`` +
        (name === 'tensorflow-gpu' ? ' on a machine with CUDA 11.2 and cuDNN 8.1.' : '.')
    }
  }
  if (name === 'tensorflow-gpu') {
    const missing = findCudaLibraries()
      .filter((lib) => !lib.path)
      .map((lib) => lib.name)
    if (missing.length > 0) {
      return {
        loaded: false,
        version,
        reason:
          `CUDA libraries not found: ${missing.join(', ')}. tfjs-node-gpu ${version} needs CUDA 11.2 and ` +
          'cuDNN 8.1; install them and add their lib folders to LD_LIBRARY_PATH (PATH on Windows).'
      }
    }
  }
  try {
    nodeRequire(pkg)
    const tf = await import('@tensorflow/tfjs-core')
    await tf.setBackend('tensorflow')
    await tf.ready()
    if (tf.getBackend() !== 'tensorflow')
      throw new Error(`backend is ${tf.getBackend()} after loading`)
    return { loaded: true, version, threads: availableParallelism() }
  } catch (error) {
    return { loaded: false, version, reason: `${pkg} failed to load: ${(error as Error).message}` }
  }
}

/** Threads for the wasm backend: DGMW_WASM_THREADS, else every core (the engine owns the process). */
function wasmThreads(): number {
  return Math.min(8, Number(process.env.DGMW_WASM_THREADS) || availableParallelism())
}

/**
 * Initialises the wasm backend with its multi-threaded build (see wasmThreads.ts), falling back
 * to the single-threaded one; DGMW_WASM_THREADED=0 asks for single-threaded.
 */
async function startWasm(
  tf: typeof import('@tensorflow/tfjs-core')
): Promise<{ ok: boolean; note?: string }> {
  if (process.env.DGMW_WASM_THREADED === '0')
    return { ok: await tf.setBackend('wasm'), note: 'single-threaded: DGMW_WASM_THREADED=0' }
  const started = await startWasmBackend({ threads: wasmThreads() })
  return { ok: started.ok, note: started.reason && `single-threaded: ${started.reason}` }
}

async function tryJs(name: 'wasm' | 'cpu'): Promise<Attempt> {
  const pkg = backendPackages[name]
  const version = packageVersion(pkg)
  try {
    const tf = await import('@tensorflow/tfjs-core')
    const backendModule = (await import(pkg)) as {
      getThreadsCount?: () => number
      setThreadsCount?: (n: number) => void
    }
    backendModule.setThreadsCount?.(wasmThreads())
    const started = name === 'wasm' ? await startWasm(tf) : { ok: await tf.setBackend(name) }
    if (!started.ok) throw new Error('the backend did not initialise')
    await tf.ready()
    if (name === 'wasm') registerWasmTrainingKernels()
    // The wasm build reports the threads it really got; the pure-JS cpu backend uses one.
    return {
      loaded: true,
      version,
      threads: backendModule.getThreadsCount?.() ?? 1,
      note: started.note
    }
  } catch (error) {
    return { loaded: false, version, reason: `${pkg} failed to load: ${(error as Error).message}` }
  }
}

/** WebGPU through Dawn: see webgpuBackend.ts. */
async function tryWebgpu(forced: boolean, gpuName?: string): Promise<Attempt> {
  const version = packageVersion(backendPackages.webgpu)
  const dawn = packageVersion('webgpu')
  if (!version || !dawn)
    return {
      loaded: false,
      reason: `${version ? 'webgpu (Dawn)' : backendPackages.webgpu} is not installed; run \`npm install\`.`
    }
  const started = await startWebgpu({ forced, gpuName })
  const withDawn = `${version}, Dawn webgpu@${dawn}`
  return started.loaded
    ? { loaded: true, version: withDawn, threads: 1, adapter: started.adapter }
    : { ...started, version: withDawn }
}

const attempt = (name: BackendName, forced: boolean, gpuName?: string): Promise<Attempt> =>
  name === 'tensorflow-gpu' || name === 'tensorflow'
    ? tryNative(name)
    : name === 'webgpu'
      ? tryWebgpu(forced, gpuName)
      : tryJs(name)

/** Walks the ladder (or loads only `forced`) and reports what was chosen and why. */
export async function selectBackend(forced?: BackendName, gpuName?: string): Promise<EngineStatus> {
  let threads = 0
  let gpu: GpuAdapterReport | undefined
  const rungs: BackendRung[] = []
  let active: BackendName | undefined
  for (const name of backendNames) {
    const base = { name, package: backendPackages[name] }
    if (active) {
      rungs.push({
        ...base,
        loaded: false,
        version: packageVersion(base.package),
        reason: `not tried: ${active} loaded first`
      })
      continue
    }
    if (forced && name !== forced) {
      rungs.push({
        ...base,
        loaded: false,
        version: packageVersion(base.package),
        reason: `not tried: ${forced} was forced`
      })
      continue
    }
    const result = await attempt(name, forced === name, gpuName)
    if (result.loaded) {
      active = name
      threads = result.threads
      gpu = result.adapter
      rungs.push({
        ...base,
        loaded: true,
        version: result.version,
        reason: result.note,
        ...(result.adapter ? { adapter: result.adapter } : {})
      })
    } else rungs.push({ ...base, ...result })
  }
  if (!active) {
    const why = rungs.find((r) => r.name === forced)?.reason ?? 'no backend loaded'
    return {
      state: 'failed',
      forced,
      rungs,
      threads,
      error: forced
        ? `The forced backend "${forced}" did not load: ${why} Remove --backend / DGMW_BACKEND to let the engine choose.`
        : `No tensor backend loaded: ${why}`
    }
  }
  return { state: 'ready', active, forced, rungs, threads, ...(gpu ? { gpu } : {}) }
}
