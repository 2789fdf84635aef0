/**
 * Runs an ONNX model with onnxruntime-node on the CPU and reads its metadata: how an exported
 * model is checked against tfjs, and how the app can inspect a file it wrote.
 */
import { readFile } from 'node:fs/promises'
import * as ort from 'onnxruntime-node'
import { onnx } from 'onnx-proto'

export interface OnnxTensor {
  name: string
  data: Float32Array
  shape: number[]
}

/** One inference on a float input; every output, in the session's order. */
export async function runOnnx(
  file: string | Uint8Array,
  input: { name?: string; data: Float32Array; shape: number[] }
): Promise<OnnxTensor[]> {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'] }
  // Two calls because create's overloads take a path or bytes, not the union.
  const session =
    typeof file === 'string'
      ? await ort.InferenceSession.create(file, options)
      : await ort.InferenceSession.create(file, options)
  try {
    const feeds = {
      [input.name ?? session.inputNames[0]]: new ort.Tensor('float32', input.data, input.shape)
    }
    const results = await session.run(feeds)
    return session.outputNames.map((name) => {
      const tensor = results[name]
      if (tensor.type !== 'float32')
        throw new Error(`ONNX output "${name}" is ${tensor.type}, not float32.`)
      return { name, data: tensor.data as Float32Array, shape: tensor.dims.map(Number) }
    })
  } finally {
    await session.release()
  }
}

/**
 * The model's metadata_props as a record. onnxruntime's JS API does not expose custom metadata,
 * so the file is decoded with the ONNX protobuf schema (which reads the weights too; fine for the
 * models this app makes).
 */
export async function onnxMetadata(file: string | Uint8Array): Promise<Record<string, string>> {
  const bytes = typeof file === 'string' ? await readFile(file) : file
  const model = onnx.ModelProto.decode(bytes)
  return Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]))
}

/** The largest |a[i] − b[i]|; Infinity if the lengths differ or either holds a NaN. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity
  let max = 0
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i])
    if (!(d <= max)) max = Number.isNaN(d) ? Infinity : d
  }
  return max
}
