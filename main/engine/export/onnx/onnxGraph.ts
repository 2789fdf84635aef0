/**
 * A tiny builder for an ONNX graph: unique names, float/int64 initialisers, nodes with typed
 * attributes, and the final ModelProto. It knows nothing about tfjs; layerConverters.ts and
 * layersToOnnx.ts drive it.
 */
import { onnx } from 'onnx-proto'

const { AttributeType } = onnx.AttributeProto
const FLOAT = onnx.TensorProto.DataType.FLOAT
const INT64 = onnx.TensorProto.DataType.INT64

/**
 * Typed attribute values. ONNX attributes carry their type, and a float attribute whose value
 * happens to be whole (ELU's alpha = 1) must still be sent as FLOAT, so the type is explicit.
 */
export type Attribute =
  | { int: number }
  | { ints: number[] }
  | { float: number }
  | { floats: number[] }
  | { string: string }

function attributeProto(name: string, value: Attribute): onnx.IAttributeProto {
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int }
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: value.ints }
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float }
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: value.floats }
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.string) }
}

/** Little-endian bytes whatever the host's byte order: ONNX raw_data is little-endian. */
function rawFloats(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 4)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true)
  return bytes
}

function rawInt64s(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8)
  const view = new DataView(bytes.buffer)
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true))
  return bytes
}

/** A float tensor's value info; `null` dimensions become the symbolic batch size "N". */
export function floatValueInfo(name: string, shape: (number | null)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: shape.map((d) => (d === null ? { dimParam: 'N' } : { dimValue: d })) }
      }
    }
  }
}

export class OnnxGraph {
  readonly nodes: onnx.INodeProto[] = []
  readonly initializers: onnx.ITensorProto[] = []
  private readonly used = new Set<string>()

  /** `base`, or `base_1`, `base_2`… if taken: every tensor and node name in a graph is unique. */
  unique(base: string): string {
    let name = base
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`
    this.used.add(name)
    return name
  }

  /** Reserves a name exactly (graph input and output names are the caller's, not ours). */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`ONNX export: the name "${name}" is used twice.`)
    this.used.add(name)
    return name
  }

  addFloats(base: string, values: ArrayLike<number>, dims: number[]): string {
    const name = this.unique(base)
    this.initializers.push({ name, dims, dataType: FLOAT, rawData: rawFloats(values) })
    return name
  }

  addInt64s(base: string, values: number[]): string {
    const name = this.unique(base)
    const dims = [values.length]
    this.initializers.push({ name, dims, dataType: INT64, rawData: rawInt64s(values) })
    return name
  }

  /**
   * Appends a node and returns its (first) output name. Nodes must be added in topological order,
   * which the converter's depth-first walk guarantees. `output` fixes the output name (a graph
   * output); otherwise one is made from `base`.
   */
  addNode(
    opType: string,
    inputs: string[],
    base: string,
    attributes: Record<string, Attribute> = {},
    output?: string
  ): string {
    const out = output ?? this.unique(base)
    this.nodes.push({
      opType,
      input: inputs,
      output: [out],
      name: this.unique(`${base}/${opType}`),
      attribute: Object.entries(attributes).map(([name, value]) => attributeProto(name, value))
    })
    return out
  }

  toGraphProto(
    name: string,
    inputs: onnx.IValueInfoProto[],
    outputs: onnx.IValueInfoProto[]
  ): onnx.IGraphProto {
    return {
      name,
      node: this.nodes,
      initializer: this.initializers,
      input: inputs,
      output: outputs
    }
  }
}

/**
 * Permutes a dense row-major array: result dimension i is source dimension perm[i]. Used on the
 * host for weights (tfjs [kh, kw, in, out] → ONNX [out, in, kh, kw]) so the graph carries no
 * weight transposes.
 */
export function permute(
  data: Float32Array,
  dims: number[],
  perm: number[]
): { data: Float32Array; dims: number[] } {
  const outDims = perm.map((p) => dims[p])
  const rank = dims.length
  const srcStrides = new Array<number>(rank)
  for (let i = rank - 1, s = 1; i >= 0; s *= dims[i], i--) srcStrides[i] = s
  // Walking the output in order, the source offset steps by the permuted strides.
  const steps = perm.map((p) => srcStrides[p])
  const out = new Float32Array(data.length)
  const index = new Array<number>(rank).fill(0)
  let src = 0
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src]
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++
      src += steps[d]
      if (index[d] < outDims[d]) break
      src -= steps[d] * outDims[d]
      index[d] = 0
    }
  }
  return { data: out, dims: outDims }
}
