/**
 * Gradients of a 2-D convolution on the wasm backend, written as forward convolutions so the
 * XNNPACK kernel (vectorised, multi-threaded) does the arithmetic instead of scalar loops.
 *
 * Filter gradient: dW[i,j,ci,co] = Σ_{n,p,q} x[n, p·s+i−pad, q·s+j−pad, ci] · dy[n,p,q,co], which is
 * a convolution of xᵀ [Cin, H, W, N] with dyᵀ [Ho, Wo, N, Cout] as the filter, dilated by the stride.
 * Input gradient: a stride-1 convolution of dy (zeros inserted between its rows/columns by the
 * stride, padded by k−1−pad) with the filter rotated 180° and its in/out channels swapped.
 */
import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  Slice,
  Transpose,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type TensorInfo
} from '@tensorflow/tfjs-core'
import { dilateAndPad, free, heapF32, runWasmKernel, type BackendWasm, wasmKernel } from './wasmOps'

type Args<I, A> = { inputs: I; attrs: A; backend: BackendWasm }

function assertNhwc(dataFormat: string, kernel: string): void {
  if (dataFormat !== 'NHWC')
    throw new Error(`wasm ${kernel} supports dataFormat 'NHWC' only, got '${dataFormat}'`)
}

function conv2dBackpropFilter({
  inputs,
  attrs,
  backend
}: Args<{ x: TensorInfo; dy: TensorInfo }, Conv2DBackpropFilterAttrs>): TensorInfo {
  const { x, dy } = inputs
  assertNhwc(attrs.dataFormat, Conv2DBackpropFilter)
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode
  )
  const [kh, kw] = [info.filterHeight, info.filterWidth]
  const [h, w] = [info.inHeight, info.inWidth]
  const [ho, wo] = [info.outHeight, info.outWidth]
  const { top, left } = info.padInfo
  // Bottom/right padding that makes the result exactly kh×kw; when the forward pass ignored
  // trailing input rows this is negative, so pad 0 and crop the surplus afterwards.
  const bottom = kh + (ho - 1) * info.strideHeight - h - top
  const right = kw + (wo - 1) * info.strideWidth - w - left

  const xT = runWasmKernel(backend, Transpose, { x }, { perm: [3, 1, 2, 0] }) // [Cin, H, W, N]
  const dyT = runWasmKernel(backend, Transpose, { x: dy }, { perm: [1, 2, 0, 3] }) // [Ho, Wo, N, Cout]
  const pad: backend_util.ExplicitPadding = [
    [0, 0],
    [top, Math.max(0, bottom)],
    [left, Math.max(0, right)],
    [0, 0]
  ]
  let grad = runWasmKernel(
    backend,
    Conv2D,
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      dilations: [info.strideHeight, info.strideWidth],
      pad,
      dataFormat: 'NHWC'
    }
  ) // [Cin, ≥kh, ≥kw, Cout]
  free(backend, xT, dyT)
  if (grad.shape[1] !== kh || grad.shape[2] !== kw) {
    const cropped = runWasmKernel(
      backend,
      Slice,
      { x: grad },
      { begin: [0, 0, 0, 0], size: [grad.shape[0], kh, kw, grad.shape[3]] }
    )
    free(backend, grad)
    grad = cropped
  }
  const dw = runWasmKernel(backend, Transpose, { x: grad }, { perm: [1, 2, 0, 3] }) // [kh, kw, Cin, Cout]
  free(backend, grad)
  return dw
}

/** The filter rotated 180° with in/out channels swapped: [kh, kw, Cin, Cout] → [kh, kw, Cout, Cin]. */
function flipFilter(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [kh, kw, cin, cout] = filter.shape
  const out = backend.makeOutput([kh, kw, cout, cin], 'float32')
  const src = heapF32(backend, filter)
  const dst = heapF32(backend, out)
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++) {
      const from = ((kh - 1 - i) * kw + (kw - 1 - j)) * cin * cout
      const to = (i * kw + j) * cout * cin
      for (let ci = 0; ci < cin; ci++)
        for (let co = 0; co < cout; co++) dst[to + co * cin + ci] = src[from + ci * cout + co]
    }
  return out
}

function conv2dBackpropInput({
  inputs,
  attrs,
  backend
}: Args<{ dy: TensorInfo; filter: TensorInfo }, Conv2DBackpropInputAttrs>): TensorInfo {
  const { dy, filter } = inputs
  assertNhwc(attrs.dataFormat, Conv2DBackpropInput)
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode
  )
  const [kh, kw] = [info.filterHeight, info.filterWidth]
  // dx[h] = Σ_i dyDilated[h + top − i] · W[i]: a valid convolution once dy is dilated and shifted by
  // kh−1−top, over a buffer exactly H + kh − 1 tall.
  const padded = dilateAndPad(
    backend,
    dy,
    [info.strideHeight, info.strideWidth],
    [kh - 1 - info.padInfo.top, kw - 1 - info.padInfo.left],
    [info.inHeight + kh - 1, info.inWidth + kw - 1]
  )
  const flipped = flipFilter(backend, filter)
  const dx = runWasmKernel(
    backend,
    Conv2D,
    { x: padded, filter: flipped },
    { strides: [1, 1], dilations: [1, 1], pad: 'valid', dataFormat: 'NHWC' }
  )
  free(backend, padded, flipped)
  return dx
}

export const conv2dBackpropFilterConfig = wasmKernel(Conv2DBackpropFilter, conv2dBackpropFilter)

export const conv2dBackpropInputConfig = wasmKernel(Conv2DBackpropInput, conv2dBackpropInput)
