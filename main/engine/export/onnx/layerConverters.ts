/**
 * One converter per tfjs-layers class: each turns a layer call (its config, weights and input
 * values) into ONNX nodes on an OnnxGraph, taking each input in the layout it needs (values.ts).
 */
import type * as tfl from '@tensorflow/tfjs-layers'
import { activate, clip } from './activations'
import { permute, type OnnxGraph } from './onnxGraph'
import { asNchw, asNhwc, like, onnxAxis, type Shape, type Value } from './values'

// Keras-style layer config: read loosely, each converter checks what it uses.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LayerConfig = Record<string, any>

export interface LayerCall {
  graph: OnnxGraph
  layer: tfl.layers.Layer
  className: string
  config: LayerConfig
  inputs: Value[]
  /** The tfjs output shape of this call (from the layer's computeOutputShape). */
  outShape: Shape
  /** A readable base for the names of the nodes and tensors this call makes. */
  base: string
}

function pair(value: number | number[] | undefined, fallback: number): [number, number] {
  if (value === undefined || value === null) return [fallback, fallback]
  return Array.isArray(value) ? [value[0], value[1]] : [value, value]
}

/**
 * TensorFlow's SAME padding for one spatial dimension: the output is ceil(in / stride) and the
 * odd pixel of padding, if any, goes at the end (ONNX's auto_pad SAME_UPPER would too, but explicit
 * pads keep the graph independent of how a runtime resolves auto_pad).
 */
export function samePadding(size: number, kernel: number, stride: number, dilation = 1): number[] {
  const span = (kernel - 1) * dilation + 1
  const out = Math.ceil(size / stride)
  const total = Math.max((out - 1) * stride + span - size, 0)
  return [Math.floor(total / 2), total - Math.floor(total / 2)]
}

/** ONNX pads [top, left, bottom, right] for a 2-D window over a NHWC shape. */
function windowPads(
  padding: string,
  shape: Shape,
  kernel: number[],
  strides: number[],
  dilations = [1, 1]
): number[] {
  if (padding === 'valid') return [0, 0, 0, 0]
  if (padding !== 'same') throw new Error(`ONNX export: padding '${padding}' is not supported.`)
  const [h, w] = [shape[1], shape[2]]
  if (h === null || w === null)
    throw new Error('ONNX export: SAME padding needs a fixed image size.')
  const [top, bottom] = samePadding(h, kernel[0], strides[0], dilations[0])
  const [left, right] = samePadding(w, kernel[1], strides[1], dilations[1])
  return [top, left, bottom, right]
}

/** The layer's weights as host arrays, in tfjs order (e.g. kernel then bias). */
function weightsOf(layer: tfl.layers.Layer): { data: Float32Array; dims: number[] }[] {
  return layer.getWeights().map((t) => ({ data: t.dataSync() as Float32Array, dims: t.shape }))
}

function requireChannelsLast(call: LayerCall): void {
  if (call.config.dataFormat && call.config.dataFormat !== 'channelsLast')
    throw new Error(`ONNX export: ${call.className} "${call.base}" must be channelsLast.`)
}

function conv2d(call: LayerCall): Value {
  const { graph, config, base } = call
  requireChannelsLast(call)
  const x = call.inputs[0]
  const [kernel, bias] = weightsOf(call.layer)
  const kernelShape = pair(config.kernelSize, 1)
  const strides = pair(config.strides, 1)
  const dilations = pair(config.dilationRate, 1)
  // tfjs kernel [kh, kw, in, out] → ONNX W [out, in, kh, kw].
  const w = permute(kernel.data, kernel.dims, [3, 2, 0, 1])
  const inputs = [asNchw(graph, x), graph.addFloats(`${base}_W`, w.data, w.dims)]
  if (bias) inputs.push(graph.addFloats(`${base}_B`, bias.data, bias.dims))
  const y = graph.addNode('Conv', inputs, base, {
    kernel_shape: { ints: kernelShape },
    strides: { ints: strides },
    dilations: { ints: dilations },
    pads: { ints: windowPads(config.padding, x.shape, kernelShape, strides, dilations) }
  })
  return activate(graph, { name: y, shape: call.outShape, nchw: true }, config.activation, base)
}

/**
 * tfjs computes a transposed convolution as the gradient of the forward convolution that would
 * map its output size back to its input size, so the pads are that forward convolution's (SAME
 * or VALID on the output size). When the kernel is smaller than the stride, the forward
 * convolution never reads the last pixels; ONNX's output_padding adds them back (as zeros before
 * the bias), which is what tfjs' gradient gives there.
 */
function conv2dTranspose(call: LayerCall): Value {
  const { graph, config, base } = call
  requireChannelsLast(call)
  const x = call.inputs[0]
  const [kernel, bias] = weightsOf(call.layer)
  const kernelShape = pair(config.kernelSize, 1)
  const strides = pair(config.strides, 1)
  if (pair(config.dilationRate, 1).some((d) => d !== 1))
    throw new Error(`ONNX export: dilated Conv2DTranspose "${base}" is not supported.`)
  const out = call.outShape as number[]
  const pads = windowPads(config.padding, [null, out[1], out[2], null], kernelShape, strides)
  const outputPadding = [0, 1].map((d) => {
    const size = strides[d] * ((x.shape[d + 1] as number) - 1) + kernelShape[d]
    return out[d + 1] - (size - pads[d] - pads[d + 2])
  })
  if (outputPadding.some((p, d) => p < 0 || p >= strides[d]))
    throw new Error(`ONNX export: Conv2DTranspose "${base}" has an unexpected output size.`)
  // tfjs kernel [kh, kw, out, in] → ONNX W [in, out, kh, kw].
  const w = permute(kernel.data, kernel.dims, [3, 2, 0, 1])
  const inputs = [asNchw(graph, x), graph.addFloats(`${base}_W`, w.data, w.dims)]
  if (bias) inputs.push(graph.addFloats(`${base}_B`, bias.data, bias.dims))
  const y = graph.addNode('ConvTranspose', inputs, base, {
    kernel_shape: { ints: kernelShape },
    strides: { ints: strides },
    pads: { ints: pads },
    output_padding: { ints: outputPadding }
  })
  return activate(graph, { name: y, shape: call.outShape, nchw: true }, config.activation, base)
}

/** Dense on the last axis: Gemm for [N, D] (the usual case), MatMul + Add for higher ranks. */
function dense(call: LayerCall): Value {
  const { graph, config, base } = call
  const x = call.inputs[0]
  const [kernel, bias] = weightsOf(call.layer)
  const w = graph.addFloats(`${base}_W`, kernel.data, kernel.dims)
  const b = bias ? graph.addFloats(`${base}_B`, bias.data, bias.dims) : undefined
  let y: string
  if (x.shape.length === 2) {
    y = graph.addNode('Gemm', b ? [x.name, w, b] : [x.name, w], base)
  } else {
    y = graph.addNode('MatMul', [asNhwc(graph, x), w], base)
    if (b) y = graph.addNode('Add', [y, b], base)
  }
  return activate(graph, { name: y, shape: call.outShape, nchw: false }, config.activation, base)
}

/** Inference batch norm with the moving statistics, on [N, C] or (NCHW) [N, C, H, W]. */
function batchNormalization(call: LayerCall): Value {
  const { graph, config, base } = call
  const x = call.inputs[0]
  const rank = x.shape.length
  const axis = Array.isArray(config.axis) ? config.axis : [config.axis ?? -1]
  if (axis.length !== 1 || (axis[0] + rank) % rank !== rank - 1 || (rank !== 2 && rank !== 4))
    throw new Error(
      `ONNX export: BatchNormalization "${base}" must normalise the channel axis of a 2-D or 4-D input.`
    )
  const weights = weightsOf(call.layer)
  // getWeights order: gamma (if scale), beta (if center), moving mean, moving variance.
  const gamma = config.scale === false ? undefined : weights.shift()
  const beta = config.center === false ? undefined : weights.shift()
  const [mean, variance] = weights
  const channels = mean.data.length
  const y = graph.addNode(
    'BatchNormalization',
    [
      rank === 4 ? asNchw(graph, x) : x.name,
      graph.addFloats(`${base}_scale`, gamma?.data ?? new Float32Array(channels).fill(1), [
        channels
      ]),
      graph.addFloats(`${base}_bias`, beta?.data ?? new Float32Array(channels), [channels]),
      graph.addFloats(`${base}_mean`, mean.data, [channels]),
      graph.addFloats(`${base}_var`, variance.data, [channels])
    ],
    base,
    { epsilon: { float: config.epsilon ?? 1e-3 } }
  )
  return { name: y, shape: call.outShape, nchw: rank === 4 }
}

function pooling(op: 'MaxPool' | 'AveragePool'): (call: LayerCall) => Value {
  return (call) => {
    const { graph, config, base } = call
    requireChannelsLast(call)
    const x = call.inputs[0]
    const kernel = pair(config.poolSize, 2)
    const strides = pair(config.strides ?? config.poolSize, 2)
    // SAME-padded cells are left out of both the max and the average (count_include_pad = 0),
    // as in TensorFlow.
    const y = graph.addNode(op, [asNchw(graph, x)], base, {
      kernel_shape: { ints: kernel },
      strides: { ints: strides },
      pads: { ints: windowPads(config.padding ?? 'valid', x.shape, kernel, strides) }
    })
    return { name: y, shape: call.outShape, nchw: true }
  }
}

/** Mean/max over H and W: a reduction in whichever layout the value is, so no transpose. */
function globalPooling(op: 'ReduceMean' | 'ReduceMax'): (call: LayerCall) => Value {
  return ({ graph, inputs: [x], outShape, base }) => {
    const keep = outShape.length === 4
    const axes = x.nchw ? [2, 3] : [1, 2]
    const y = graph.addNode(op, [x.name], base, { axes: { ints: axes }, keepdims: { int: +keep } })
    return { name: y, shape: outShape, nchw: keep && x.nchw }
  }
}

/** Flattening in tfjs' (NHWC) element order, so the next Dense's weights apply unchanged. */
function flatten({ graph, inputs: [x], outShape, base }: LayerCall): Value {
  if (x.shape.length <= 2) return x
  return { name: graph.addNode('Flatten', [asNhwc(graph, x)], base), shape: outShape, nchw: false }
}

/** Reshape in the tfjs layout; a 4-D result is NHWC until a consumer wants NCHW. */
function reshape({ graph, inputs: [x], outShape, base }: LayerCall): Value {
  const target = graph.addInt64s(`${base}_shape`, [-1, ...(outShape.slice(1) as number[])])
  const y = graph.addNode('Reshape', [asNhwc(graph, x), target], base)
  return { name: y, shape: outShape, nchw: false }
}

/** Elementwise merges. All inputs are brought to the first one's layout. */
function merge(op: 'Sum' | 'Mul' | 'Mean' | 'Max' | 'Min'): (call: LayerCall) => Value {
  return ({ graph, inputs, outShape, base }) => {
    const [first] = inputs
    if (inputs.some((v) => v.shape.length !== first.shape.length))
      throw new Error(`ONNX export: merge layer "${base}" needs inputs of equal rank.`)
    const names = inputs.map((v) => (first.nchw ? asNchw(graph, v) : asNhwc(graph, v)))
    // Mul is binary in ONNX; the others take any number of inputs.
    const y =
      op === 'Mul'
        ? names.reduce((a, b) => graph.addNode('Mul', [a, b], base))
        : graph.addNode(op, names, base)
    return like(first, y, outShape)
  }
}

function concatenate({ graph, config, inputs, outShape, base }: LayerCall): Value {
  const [first] = inputs
  const names = inputs.map((v) => (first.nchw ? asNchw(graph, v) : asNhwc(graph, v)))
  const axis = onnxAxis(first, config.axis ?? -1)
  return like(first, graph.addNode('Concat', names, base, { axis: { int: axis } }), outShape)
}

const identity = ({ inputs: [x] }: LayerCall): Value => x

export const converters: Record<string, (call: LayerCall) => Value> = {
  Conv2D: conv2d,
  Conv2DTranspose: conv2dTranspose,
  Dense: dense,
  BatchNormalization: batchNormalization,
  Activation: (c) => activate(c.graph, c.inputs[0], c.config.activation, c.base),
  ReLU: (c) =>
    c.config.maxValue == null
      ? activate(c.graph, c.inputs[0], 'relu', c.base)
      : clip(c.graph, c.inputs[0], 0, c.config.maxValue, c.base),
  LeakyReLU: ({ graph, inputs: [x], config, base }) =>
    like(x, graph.addNode('LeakyRelu', [x.name], base, { alpha: { float: config.alpha ?? 0.3 } })),
  ELU: ({ graph, inputs: [x], config, base }) =>
    like(x, graph.addNode('Elu', [x.name], base, { alpha: { float: config.alpha ?? 1 } })),
  ThresholdedReLU: ({ graph, inputs: [x], config, base }) =>
    like(
      x,
      graph.addNode('ThresholdedRelu', [x.name], base, { alpha: { float: config.theta ?? 1 } })
    ),
  Softmax: ({ graph, inputs: [x], config, base }) => {
    // tfjs' Softmax layer defaults to axis 1 (Keras' to -1).
    if (Array.isArray(config.axis) && config.axis.length !== 1)
      throw new Error(`ONNX export: Softmax "${base}" over several axes is not supported.`)
    const axis = onnxAxis(x, Array.isArray(config.axis) ? config.axis[0] : (config.axis ?? 1))
    return like(x, graph.addNode('Softmax', [x.name], base, { axis: { int: axis } }))
  },
  MaxPooling2D: pooling('MaxPool'),
  AveragePooling2D: pooling('AveragePool'),
  GlobalAveragePooling2D: globalPooling('ReduceMean'),
  GlobalMaxPooling2D: globalPooling('ReduceMax'),
  Flatten: flatten,
  Reshape: reshape,
  Add: merge('Sum'),
  Multiply: merge('Mul'),
  Average: merge('Mean'),
  Maximum: merge('Max'),
  Minimum: merge('Min'),
  Concatenate: concatenate,
  // Regularisers that do nothing at inference.
  Dropout: identity,
  SpatialDropout1D: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity
}
