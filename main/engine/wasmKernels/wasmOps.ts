/**
 * Helpers for kernels that run other wasm kernels. Inside a kernel, tensors are TensorInfos owned
 * by the backend: call kernels directly on them and free intermediates with `backend.disposeData`
 * (wrapping them in Tensors and disposing those corrupts the backend's bookkeeping).
 */
import {
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo
} from '@tensorflow/tfjs-core'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm/dist/backend_wasm'

export type { BackendWasm }

/** Runs a registered wasm kernel on TensorInfos; the caller owns (and frees) the result. */
export function runWasmKernel(
  backend: BackendWasm,
  name: string,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap = {}
): TensorInfo {
  const kernel = getKernel(name, 'wasm')
  if (!kernel) throw new Error(`wasm kernel ${name} is not registered`)
  return kernel.kernelFunc({ inputs, attrs, backend }) as TensorInfo
}

export function free(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId)
}

/** A Float32Array view on a tensor's wasm memory. Take views after allocating (growth detaches them). */
export function heapF32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array
}

/** A new float32 tensor filled with zeros (makeOutput does not clear recycled memory). */
export function zeros(backend: BackendWasm, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32')
  heapF32(backend, out).fill(0)
  return out
}

/**
 * Copies `dy` [N, Ho, Wo, C] into a zero tensor [N, Hp, Wp, C] with `stride - 1` zeros between
 * rows/columns (so a strided convolution's gradient becomes a stride-1 convolution) and the given
 * leading offsets; offsets may be negative (those rows/columns are cropped).
 */
export function dilateAndPad(
  backend: BackendWasm,
  dy: TensorInfo,
  stride: [number, number],
  offset: [number, number],
  outHW: [number, number]
): TensorInfo {
  const [n, ho, wo, c] = dy.shape
  const [hp, wp] = outHW
  const out = zeros(backend, [n, hp, wp, c])
  const src = heapF32(backend, dy)
  const dst = heapF32(backend, out)
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < ho; p++) {
      const h = offset[0] + p * stride[0]
      if (h < 0 || h >= hp) continue
      for (let q = 0; q < wo; q++) {
        const w = offset[1] + q * stride[1]
        if (w < 0 || w >= wp) continue
        const from = ((b * ho + p) * wo + q) * c
        dst.set(src.subarray(from, from + c), ((b * hp + h) * wp + w) * c)
      }
    }
  }
  return out
}

/** A wasm kernel registration; the cast is the one place our typed kernel arguments meet tfjs's. */
export function wasmKernel<A>(
  kernelName: string,
  kernelFunc: (args: A) => TensorInfo
): KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc }
}
