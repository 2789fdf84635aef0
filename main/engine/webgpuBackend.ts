/**
 * The WebGPU rung: tfjs' official WebGPU backend on Dawn's Node addon (npm `webgpu`, prebuilt for
 * Linux, macOS and Windows, so it installs from the registry alone). Dawn drives Vulkan on Linux,
 * Metal on macOS and D3D12 on Windows; the same Node-API binary loads in Electron's main process.
 *
 * We request the adapter and device ourselves (instead of letting the backend package do it) so
 * that we can describe the adapter, refuse software adapters under `auto`, honour a chosen GPU,
 * and watch the device for loss and out-of-memory errors.
 */
import * as tf from '@tensorflow/tfjs-core'
import type { GpuAdapterReport } from '../../preload/contract'
import { fusedBatchNormGradConfig } from './wasmKernels/batchNormGrad'

/** Minimal shapes of the WebGPU objects we touch (Dawn's typings are DOM-flavoured). */
interface AdapterInfo {
  vendor: string
  architecture: string
  device: string
  description: string
  isFallbackAdapter?: boolean
}
interface Adapter {
  info: AdapterInfo
  isFallbackAdapter?: boolean
  features: Set<string>
  limits: Record<string, number>
  requestDevice(descriptor: unknown): Promise<Device>
}
interface Device {
  lost: Promise<{ reason: string; message: string }>
  addEventListener(type: 'uncapturederror', listener: (event: { error: Error }) => void): void
}

/** Architectures and names of adapters that emulate a GPU on the CPU. */
const softwareAdapter = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i

export type WebgpuAttempt =
  | { loaded: true; adapter: GpuAdapterReport }
  | { loaded: false; reason: string; adapter?: GpuAdapterReport }

/** The largest buffer a kernel may bind on the device in use (0 before one is opened). */
let bindingLimit = 0

/** Bytes: the largest tensor the WebGPU device can hold and bind (0 when none is open). */
export function gpuBufferLimit(): number {
  return bindingLimit
}

/** Faults the device reported since the last check (see takeGpuFault). */
let fault: { kind: 'lost' | 'out-of-memory' | 'error'; message: string } | null = null

const describe = (adapter: Adapter, selectedBy?: string): GpuAdapterReport => {
  const { vendor, architecture, device, description } = adapter.info
  const fallback = Boolean(adapter.info.isFallbackAdapter ?? adapter.isFallbackAdapter)
  return {
    vendor,
    architecture,
    device,
    description: description || [vendor, architecture, device].filter(Boolean).join(' '),
    fallback,
    software:
      fallback || softwareAdapter.test(`${architecture} ${description} ${device} ${vendor}`),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    ...(selectedBy ? { selectedBy } : {})
  }
}

interface Gpu {
  requestAdapter(options: { powerPreference: string }): Promise<Adapter | null>
}

/** Puts Dawn's `navigator.gpu` and WebGPU's constants (GPUBufferUsage, …) on this thread's globals. */
async function installNavigatorGpu(flags: string[]): Promise<Gpu> {
  const { create, globals } = (await import('webgpu')) as {
    create(flags: string[]): Gpu
    globals: object
  }
  Object.assign(globalThis, globals)
  const gpu = create(flags)
  const holder = globalThis as { navigator?: object }
  if (holder.navigator)
    Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true })
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true })
  return gpu
}

/**
 * Finds an adapter (high-performance preference, or the one whose name contains `gpuName`),
 * refuses a software one unless `forced`, opens a device and makes `webgpu` the tfjs backend.
 */
export async function startWebgpu(options: {
  forced: boolean
  gpuName?: string
}): Promise<WebgpuAttempt> {
  const flags = options.gpuName ? [`adapter=${options.gpuName}`] : []
  let adapter: Adapter | null
  try {
    const gpu = await installNavigatorGpu(flags)
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  } catch (error) {
    // Dawn's message for an unknown name lists the adapters it has, which is what a person needs.
    const message = (error as Error).message.replace(/\s+/g, ' ').trim()
    return {
      loaded: false,
      reason: options.gpuName
        ? `No GPU named like "${options.gpuName}" (--gpu / DGMW_GPU): ${message}`
        : `Dawn could not start: ${message}`
    }
  }
  if (!adapter) return { loaded: false, reason: noAdapterReason() }
  const report = describe(adapter, options.gpuName && `--gpu ${options.gpuName}`)
  if (report.software && !options.forced)
    return {
      loaded: false,
      adapter: report,
      reason:
        `only a software adapter was found (${report.description}); auto never picks it because ` +
        "wasm is faster. Install your GPU's driver (Vulkan on Linux), or choose webgpu explicitly (--backend webgpu)."
    }
  try {
    const device = await adapter.requestDevice(deviceDescriptor(adapter))
    watchDevice(device)
    bindingLimit = Math.min(report.maxBufferSize, report.maxStorageBufferBindingSize)
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu')
    // Replace the package's own factory (it would request a second adapter and device).
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu')
    tf.registerBackend('webgpu', () => new WebGPUBackend(device as never, adapter.info as never))
    // Every op on the GPU: by default small ops on host-side values (weights just restored from a
    // checkpoint) run on the CPU, whose float rounding differs, so a resumed run would drift from
    // an uninterrupted one.
    tf.env().set('WEBGPU_CPU_FORWARD', false)
    if (!(await tf.setBackend('webgpu'))) throw new Error('the backend did not initialise')
    await tf.ready()
    // Batch norm's gradient without a Tile to the input's shape (same arithmetic as tfjs-core's;
    // the wasm rung registers it too), so both rungs train batch norm the same way.
    tf.registerGradient(fusedBatchNormGradConfig)
    return { loaded: true, adapter: report }
  } catch (error) {
    return {
      loaded: false,
      adapter: report,
      reason: `${report.description}: ${(error as Error).message}`
    }
  }
}

function noAdapterReason(): string {
  const where =
    process.platform === 'linux'
      ? 'On Linux Dawn needs the Vulkan loader (libvulkan1) and a Vulkan driver for the GPU ' +
        "(NVIDIA's driver, or Mesa's RADV/ANV); " +
        '`vulkaninfo --summary` should list it.'
      : process.platform === 'darwin'
        ? 'On macOS Dawn uses Metal, available on every Mac since 2012.'
        : 'On Windows Dawn uses Direct3D 12; update the GPU driver.'
  return `Dawn found no WebGPU adapter. ${where}`
}

/** The limits tfjs-backend-webgpu asks for, up to what the adapter offers. */
function deviceDescriptor(adapter: Adapter): object {
  const limits = adapter.limits
  const requiredFeatures = ['timestamp-query'].filter((f) => adapter.features.has(f))
  return {
    requiredFeatures,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup
    }
  }
}

/** Records a lost device (driver reset, sleep, unplugged eGPU) and errors nobody caught. */
function watchDevice(device: Device): void {
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed')
      fault = { kind: 'lost', message: info.message || 'the GPU device was lost' }
  })
  device.addEventListener('uncapturederror', (event) => {
    const error = event.error
    const kind = error.constructor.name === 'GPUOutOfMemoryError' ? 'out-of-memory' : 'error'
    fault ??= { kind, message: error.message }
  })
}

/** The first fault the GPU reported since the last call, if any (and clears it). */
export function takeGpuFault(): typeof fault {
  const taken = fault
  if (taken?.kind !== 'lost') fault = null
  return taken
}
