/**
 * Gradients of a depthwise convolution on the wasm backend (the stock backend has neither).
 * Input gradient: XNNPACK's depthwise convolution of the dilated, padded dy with the rotated filter,
 * then a sum over the channel multiplier. Filter gradient: a direct loop on the heap — depthwise
 * filters are tiny and the work is N·Ho·Wo·kh·kw·C·M multiply-adds, the same as the forward pass.
 */
import {
  backend_util,
  DepthwiseConv2dNative,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  Reshape,
  Sum,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type TensorInfo
} from '@tensorflow/tfjs-core'
import {
  dilateAndPad,
  free,
  heapF32,
  runWasmKernel,
  zeros,
  type BackendWasm,
  wasmKernel
} from './wasmOps'

type Args<I, A> = { inputs: I; attrs: A; backend: BackendWasm }
type Shape4 = [number, number, number, number]

function depthwiseBackpropFilter({
  inputs,
  attrs,
  backend
}: Args<{ x: TensorInfo; dy: TensorInfo }, DepthwiseConv2dNativeBackpropFilterAttrs>): TensorInfo {
  const { x, dy } = inputs
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4,
    attrs.filterShape,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true
  )
  const [kh, kw, c, m] = attrs.filterShape
  const { top, left } = info.padInfo
  const [n, h, w] = [info.batchSize, info.inHeight, info.inWidth]
  const [ho, wo] = [info.outHeight, info.outWidth]
  const out = zeros(backend, [kh, kw, c, m])
  const xs = heapF32(backend, x)
  const dys = heapF32(backend, dy)
  const dw = heapF32(backend, out)
  const cm = c * m
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++) {
      const tap = (i * kw + j) * cm
      for (let b = 0; b < n; b++)
        for (let p = 0; p < ho; p++) {
          const row = p * info.strideHeight + i * info.dilationHeight - top
          if (row < 0 || row >= h) continue
          for (let q = 0; q < wo; q++) {
            const col = q * info.strideWidth + j * info.dilationWidth - left
            if (col < 0 || col >= w) continue
            const xi = ((b * h + row) * w + col) * c
            const di = ((b * ho + p) * wo + q) * cm
            for (let ch = 0; ch < c; ch++) {
              const xv = xs[xi + ch]
              for (let k = 0; k < m; k++) dw[tap + ch * m + k] += xv * dys[di + ch * m + k]
            }
          }
        }
    }
  return out
}

function depthwiseBackpropInput({
  inputs,
  attrs,
  backend
}: Args<
  { dy: TensorInfo; filter: TensorInfo },
  DepthwiseConv2dNativeBackpropInputAttrs
>): TensorInfo {
  const { dy, filter } = inputs
  const [kh, kw, c, m] = filter.shape
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as Shape4,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true
  )
  const [dh, dwid] = [info.dilationHeight, info.dilationWidth]
  const spanH = (kh - 1) * dh
  const spanW = (kw - 1) * dwid
  const padded = dilateAndPad(
    backend,
    dy,
    [info.strideHeight, info.strideWidth],
    [spanH - info.padInfo.top, spanW - info.padInfo.left],
    [info.inHeight + spanH, info.inWidth + spanW]
  ) // [N, H+spanH, W+spanW, C·M]
  // Rotated filter as a multiplier-1 depthwise filter over the C·M channels of dy.
  const rotated = backend.makeOutput([kh, kw, c * m, 1], 'float32')
  const src = heapF32(backend, filter)
  const dst = heapF32(backend, rotated)
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      dst.set(
        src.subarray(
          ((kh - 1 - i) * kw + (kw - 1 - j)) * c * m,
          ((kh - 1 - i) * kw + (kw - j)) * c * m
        ),
        (i * kw + j) * c * m
      )
  const perChannel = runWasmKernel(
    backend,
    DepthwiseConv2dNative,
    { x: padded, filter: rotated },
    {
      strides: [1, 1],
      dilations: [dh, dwid],
      pad: 'valid',
      dataFormat: 'NHWC'
    }
  ) // [N, H, W, C·M]
  free(backend, padded, rotated)
  if (m === 1) return perChannel
  const [n, h, w] = perChannel.shape
  const grouped = runWasmKernel(backend, Reshape, { x: perChannel }, { shape: [n, h, w, c, m] })
  const dx = runWasmKernel(backend, Sum, { x: grouped }, { axis: [4], keepDims: false })
  free(backend, grouped, perChannel)
  return dx
}

export const depthwiseBackpropFilterConfig = wasmKernel(
  DepthwiseConv2dNativeBackpropFilter,
  depthwiseBackpropFilter
)

export const depthwiseBackpropInputConfig = wasmKernel(
  DepthwiseConv2dNativeBackpropInput,
  depthwiseBackpropInput
)
