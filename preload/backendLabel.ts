/**
 * How the engine's backend is named to a person, the same in the run history, the CLI and the
 * status bar: the rung, and for WebGPU the adapter it runs on (a run record says which GPU).
 */
import type { EngineStatus, GpuAdapterReport } from './contract'

/** "SwiftShader driver 5.0.0 (software)", "NVIDIA GeForce RTX 4090". */
export function adapterName(adapter: GpuAdapterReport): string {
  return `${adapter.description}${adapter.software ? ' (software)' : ''}`
}

/** "wasm", "webgpu · NVIDIA GeForce RTX 4090"; null while no backend is active. */
export function backendLabel(status: Pick<EngineStatus, 'active' | 'gpu'>): string | null {
  if (!status.active) return null
  return status.active === 'webgpu' && status.gpu
    ? `webgpu · ${adapterName(status.gpu)}`
    : status.active
}
