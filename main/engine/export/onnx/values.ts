/**
 * How a tfjs tensor lives in the ONNX graph. tfjs is NHWC; ONNX's Conv, pooling and
 * BatchNormalization are NCHW. Every 4-D value records which layout its ONNX tensor is in, and a
 * consumer asks for the layout it needs: the transpose is made once per value and remembered. So a
 * chain of convolutions stays NCHW, elementwise layers keep whatever layout they get, and anything
 * that depends on element order (Flatten, Reshape, Dense, graph outputs) first goes back to NHWC,
 * so it matches tfjs exactly.
 */
import type { OnnxGraph } from './onnxGraph'

/** A tfjs shape: batch first (null), NHWC for images. */
export type Shape = (number | null)[]

/** One tfjs tensor as it exists in the ONNX graph. */
export interface Value {
  /** The ONNX tensor's name. */
  name: string
  /** The tfjs shape (NHWC), whatever the ONNX tensor's layout. */
  shape: Shape
  /** For 4-D values: the ONNX tensor is NCHW rather than tfjs' NHWC. */
  nchw: boolean
  /** The same value in the other layout, once a consumer has asked for it. */
  transposed?: string
}

const toNchw = [0, 3, 1, 2]
const toNhwc = [0, 2, 3, 1]

/** The value's tensor in NCHW (4-D only), transposing once if needed. */
export function asNchw(graph: OnnxGraph, v: Value): string {
  if (v.shape.length !== 4) throw new Error(`ONNX export: expected a 4-D value, got ${v.shape}.`)
  if (v.nchw) return v.name
  v.transposed ??= graph.addNode('Transpose', [v.name], `${v.name}_nchw`, {
    perm: { ints: toNchw }
  })
  return v.transposed
}

/** The value's tensor in the tfjs layout (NHWC for 4-D), transposing once if needed. */
export function asNhwc(graph: OnnxGraph, v: Value): string {
  if (!v.nchw) return v.name
  v.transposed ??= graph.addNode('Transpose', [v.name], `${v.name}_nhwc`, {
    perm: { ints: toNhwc }
  })
  return v.transposed
}

/** The ONNX axis for a tfjs axis (negative allowed) of a value in its current layout. */
export function onnxAxis(v: Value, axis: number): number {
  const rank = v.shape.length
  const a = axis < 0 ? axis + rank : axis
  // NHWC axis → NCHW axis: N stays, C moves to 1, H and W shift right.
  return v.nchw ? [0, 2, 3, 1][a] : a
}

/** A value whose tensor keeps the input's layout (elementwise ops). */
export function like(v: Value, name: string, shape: Shape = v.shape): Value {
  return { name, shape, nchw: v.nchw }
}
