/**
 * How the engine's backend is named to a person, the same in the run history, the CLI and the
 * status bar: the rung, and for WebGPU the adapter it runs on (a run record says which GPU).
 */
import type { EngineStatus, GpuAdapterReport } from './contract'

/** "SwiftShader driver 5.0.0 (software)", "NVIDIA GeForce RTX 4090". */
export function adapterName(adapter: GpuAdapterReport): string {
  return `${adapter.description}${adapter.software ? ' (software)' : ''}`
}

/**
 * The adapter as a person compares it with their GPU's spec sheet: name, vendor and architecture,
 * hardware or emulation, the buffer limits, and how it was chosen.
 */
export function adapterDetails(adapter: GpuAdapterReport): string {
  const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`
  const kind = adapter.software ? 'software (CPU emulation)' : 'hardware'
  return (
    `${adapter.description} — ${[adapter.vendor, adapter.architecture].filter(Boolean).join(' ')}, ${kind}` +
    `${adapter.fallback ? ', fallback adapter' : ''}; buffers up to ${gib(adapter.maxBufferSize)}, ` +
    `bindings up to ${gib(adapter.maxStorageBufferBindingSize)}` +
    `${adapter.selectedBy ? `; chosen by ${adapter.selectedBy}` : ''}`
  )
}

/** "wasm", "webgpu · NVIDIA GeForce RTX 4090"; null while no backend is active. */
export function backendLabel(status: Pick<EngineStatus, 'active' | 'gpu'>): string | null {
  if (!status.active) return null
  return status.active === 'webgpu' && status.gpu
    ? `webgpu · ${adapterName(status.gpu)}`
    : status.active
}
