/**
 * Step losses read back from the device in groups. On a GPU, reading a value back after every
 * step (`dataSync`) waits for the queue to drain, so the GPU idles while the next step is being
 * recorded. Here each step leaves its losses on the device as a small tensor, and every `every`
 * steps one asynchronous read fetches the whole group: the GPU always has steps queued, and the
 * engine's message loop keeps answering while it waits.
 */
import * as tf from '@tensorflow/tfjs-core'

/** Steps per read-back: a group on GPUs, every step on CPU backends (where reading is free). */
export function readbackInterval(): number {
  return tf.getBackend() === 'webgpu' ? 16 : 1
}

export interface ReadStep<T> {
  /** What the loop remembered about the step (its epoch, batch, learning rate, …). */
  meta: T
  values: Float32Array
}

export class LossReadback<T> {
  private pending: { meta: T; values: tf.Tensor1D }[] = []

  constructor(private readonly every = readbackInterval()) {}

  /** Queues one step's values (taking ownership); returns the steps read, once a group is full. */
  async push(meta: T, values: tf.Tensor1D): Promise<ReadStep<T>[]> {
    // Steps that log other losses (WGAN-GP's generator steps) are read as a group of their own.
    const read = this.pending[0]?.values.size === values.size ? [] : await this.flush()
    this.pending.push({ meta, values })
    return this.pending.length >= this.every ? [...read, ...(await this.flush())] : read
  }

  /** Reads every queued step now (end of an epoch, a snapshot, a stop). */
  async flush(): Promise<ReadStep<T>[]> {
    const group = this.pending
    this.pending = []
    if (group.length === 0) return []
    const stacked = tf.stack(group.map((s) => s.values)) as tf.Tensor2D
    tf.dispose(group.map((s) => s.values))
    try {
      const data = (await stacked.data()) as Float32Array
      const width = stacked.shape[1]
      return group.map((s, i) => ({
        meta: s.meta,
        values: data.subarray(i * width, (i + 1) * width)
      }))
    } finally {
      stacked.dispose()
    }
  }

  /** Drops what was not read (a failed or stopped run). */
  dispose(): void {
    tf.dispose(this.pending.map((s) => s.values))
    this.pending = []
  }
}
