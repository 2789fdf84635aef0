/**
 * Checkpoint files: model weights, optimiser state and the trainer's own state in one file,
 * written atomically (temp file, fsync, rename), so a crash or kill at any moment leaves either the
 * previous checkpoint or the new one, never half of one.
 *
 * Layout: 8-byte magic `DGMWCKP1`, uint32 LE header length, JSON header
 * {version, state, tensors: [{name, group, shape, dtype, offset, length}]}, then raw LE data.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { writeFileAtomic } from '../platform/atomicWrite'
import type { NamedTensor } from './optimizers'

export interface Checkpoint<S> {
  state: S
  weights: NamedTensor[]
  optimizer: NamedTensor[]
}

interface TensorEntry {
  name: string
  group: 'weights' | 'optimizer'
  shape: number[]
  dtype: 'float32' | 'int32'
  offset: number
  length: number
}

const magic = Buffer.from('DGMWCKP1')

export async function writeCheckpoint<S>(
  file: string,
  checkpoint: Checkpoint<S>
): Promise<{ bytes: number; sha256: string }> {
  const entries: TensorEntry[] = []
  const blobs: Buffer[] = []
  let offset = 0
  const tensors = [
    ...checkpoint.weights.map((t) => ({ ...t, group: 'weights' as const })),
    ...checkpoint.optimizer.map((t) => ({ ...t, group: 'optimizer' as const }))
  ]
  for (const { name, tensor, group } of tensors) {
    const values = await tensor.data()
    const blob = Buffer.from(values.buffer, values.byteOffset, values.byteLength)
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32'
    entries.push({ name, group, shape: tensor.shape, dtype, offset, length: blob.length })
    blobs.push(blob)
    offset += blob.length
  }
  const header = Buffer.from(
    JSON.stringify({ version: 1, state: checkpoint.state, tensors: entries })
  )
  const size = Buffer.alloc(4)
  size.writeUInt32LE(header.length)
  const parts = [magic, size, header, ...blobs]
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part)
  writeFileAtomic(file, parts, { createFolder: false })
  return { bytes: parts.reduce((n, p) => n + p.length, 0), sha256: hash.digest('hex') }
}

/** Reads a checkpoint; its tensors are created on the current backend and the caller disposes them. */
export function readCheckpoint<S>(file: string): Checkpoint<S> {
  const data = readFileSync(file)
  const damaged = (why: string): Error =>
    new Error(
      `The checkpoint ${file} is damaged (${why}); resume from an earlier run or train again.`
    )
  if (data.length < 12 || !data.subarray(0, 8).equals(magic)) throw damaged('not a checkpoint file')
  const headerLength = data.readUInt32LE(8)
  if (12 + headerLength > data.length) throw damaged('truncated header')
  let header: { version: number; state: S; tensors: TensorEntry[] }
  try {
    header = JSON.parse(data.subarray(12, 12 + headerLength).toString('utf8'))
  } catch {
    throw damaged('unreadable header')
  }
  const base = 12 + headerLength
  const last = header.tensors.at(-1)
  if (last && base + last.offset + last.length > data.length) throw damaged('truncated data')
  const result: Checkpoint<S> = { state: header.state, weights: [], optimizer: [] }
  for (const entry of header.tensors) {
    // Copy out of the file buffer: typed arrays need aligned offsets.
    const bytes = new Uint8Array(
      data.subarray(base + entry.offset, base + entry.offset + entry.length)
    )
    const values =
      entry.dtype === 'int32' ? new Int32Array(bytes.buffer) : new Float32Array(bytes.buffer)
    result[entry.group].push({
      name: entry.name,
      tensor: tf.tensor(values, entry.shape, entry.dtype)
    })
  }
  return result
}

/** Every weight of the model (batch-norm moving statistics included), in the model's order. */
export function modelWeights(model: tfl.LayersModel): NamedTensor[] {
  return model.weights.map((w, i) => ({ name: `${i}:${w.originalName}`, tensor: w.read() }))
}

/** Loads weights saved by modelWeights into a model built with the same preset and shape. */
export function restoreModelWeights(model: tfl.LayersModel, weights: NamedTensor[]): void {
  const expected = model.weights
  const mismatch =
    weights.length !== expected.length ||
    weights.some((w, i) => w.tensor.shape.join('x') !== expected[i].shape.join('x'))
  if (mismatch)
    throw new Error(
      `The checkpoint holds ${weights.length} weights that do not fit this model (${expected.length} weights); ` +
        'it was saved for another preset or dataset shape.'
    )
  model.setWeights(weights.map((w) => w.tensor))
}
