/**
 * MaxPool gradient on the wasm backend: each dy value goes to the first maximum of its window in
 * the forward input (the cpu backend's rule). One pass with channels innermost, so reads and
 * writes are contiguous; replaces the stock kernel, which profiling showed ~5× slower.
 */
import {
  backend_util,
  MaxPoolGrad,
  type MaxPoolGradAttrs,
  type TensorInfo
} from '@tensorflow/tfjs-core'
import { heapF32, zeros, type BackendWasm, wasmKernel } from './wasmOps'

function maxPoolGrad({
  inputs,
  attrs,
  backend
}: {
  inputs: { dy: TensorInfo; input: TensorInfo }
  attrs: MaxPoolGradAttrs
  backend: BackendWasm
}): TensorInfo {
  const { dy, input } = inputs
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode
  )
  const [n, h, w, c] = input.shape
  const [ho, wo] = [info.outHeight, info.outWidth]
  const dx = zeros(backend, input.shape)
  const xs = heapF32(backend, input)
  const dys = heapF32(backend, dy)
  const dxs = heapF32(backend, dx)
  const pairs =
    info.filterHeight === 2 &&
    info.filterWidth === 2 &&
    info.strideHeight === 2 &&
    info.strideWidth === 2
  if (pairs && info.padInfo.top === 0 && info.padInfo.left === 0 && ho * 2 <= h && wo * 2 <= w) {
    // The common 2×2/2 pool without padding: four candidates per output, no bounds checks.
    for (let b = 0; b < n; b++)
      for (let p = 0; p < ho; p++)
        for (let q = 0; q < wo; q++) {
          const i00 = ((b * h + 2 * p) * w + 2 * q) * c
          const i01 = i00 + c
          const i10 = i00 + w * c
          const i11 = i10 + c
          const from = ((b * ho + p) * wo + q) * c
          for (let ch = 0; ch < c; ch++) {
            let at = i00 + ch
            let max = xs[at]
            if (xs[i01 + ch] > max) max = xs[(at = i01 + ch)]
            if (xs[i10 + ch] > max) max = xs[(at = i10 + ch)]
            if (xs[i11 + ch] > max) at = i11 + ch
            dxs[at] += dys[from + ch]
          }
        }
    return dx
  }
  const best = new Float32Array(c)
  const where = new Int32Array(c)
  for (let b = 0; b < n; b++)
    for (let p = 0; p < ho; p++)
      for (let q = 0; q < wo; q++) {
        best.fill(-Infinity)
        where.fill(-1)
        for (let i = 0; i < info.filterHeight; i++) {
          const row = p * info.strideHeight - info.padInfo.top + i
          if (row < 0 || row >= h) continue
          for (let j = 0; j < info.filterWidth; j++) {
            const col = q * info.strideWidth - info.padInfo.left + j
            if (col < 0 || col >= w) continue
            const base = ((b * h + row) * w + col) * c
            for (let ch = 0; ch < c; ch++) {
              if (xs[base + ch] > best[ch]) {
                best[ch] = xs[base + ch]
                where[ch] = base + ch
              }
            }
          }
        }
        const from = ((b * ho + p) * wo + q) * c
        for (let ch = 0; ch < c; ch++) if (where[ch] >= 0) dxs[where[ch]] += dys[from + ch]
      }
  return dx
}

export const maxPoolGradConfig = wasmKernel(MaxPoolGrad, maxPoolGrad)
