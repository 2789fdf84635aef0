/**
 * Where the training loop gets its batches: synthetic tensors, or an imported dataset's uint8 cache
 * (augmented on the fly, then normalised), read in the engine worker so pixels never cross threads.
 */
import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import { augmentBatch } from '../datasets/augment'
import { channelStats, normalise, type ChannelStats } from '../datasets/normalize'
import type { DatasetData, SyntheticData } from './engineMessages'
import { syntheticImages } from './syntheticData'

export interface BatchSource {
  trainIndices: number[]
  valIndices: number[]
  evalIndices: number[]
  /** Label of every image index. */
  labelOf(index: number): number
  /** Images (augmented when `step` ≥ 0) and labels for the given indices; the caller disposes them. */
  batch(indices: number[], step: number): { x: tf.Tensor4D; y: tf.Tensor1D }
  dispose(): void
}

export function syntheticSource(data: SyntheticData, seed: number): BatchSource {
  const { images, labels } = syntheticImages(data.samples, data, seed)
  const all = Array.from({ length: data.samples }, (_, i) => i)
  const labelValues = labels.dataSync()
  return {
    trainIndices: all,
    valIndices: all,
    evalIndices: all,
    labelOf: (index) => labelValues[index],
    batch: (indices) =>
      tf.tidy(() => {
        const at = tf.tensor1d(indices, 'int32')
        return { x: tf.gather(images, at) as tf.Tensor4D, y: tf.gather(labels, at) as tf.Tensor1D }
      }),
    dispose: () => tf.dispose([images, labels])
  }
}

export function datasetSource(data: DatasetData, seed: number): BatchSource {
  const pixels = readFileSync(data.cacheFile)
  const shape = { height: data.height, width: data.width, channels: data.channels }
  const size = data.height * data.width * data.channels
  const stats: ChannelStats | undefined =
    data.normalisation === 'standardize'
      ? channelStats(pixels, size, data.channels, data.trainIndices)
      : undefined
  return {
    trainIndices: data.trainIndices,
    valIndices: data.valIndices,
    evalIndices: data.evalIndices,
    labelOf: (index) => data.labels[index],
    batch(indices, step) {
      let raw: Uint8Array = new Uint8Array(indices.length * size)
      indices.forEach((index, k) =>
        raw.set(pixels.subarray(index * size, (index + 1) * size), k * size)
      )
      // Each step gets its own augmentation seed, so a run is reproducible for its seed.
      if (step >= 0 && data.augmentation)
        raw = augmentBatch(raw, indices.length, shape, data.augmentation, seed * 1_000_003 + step)
      const x = tf.tensor4d(normalise(raw, data.channels, data.normalisation, stats), [
        indices.length,
        data.height,
        data.width,
        data.channels
      ])
      return {
        x,
        y: tf.tensor1d(
          indices.map((i) => data.labels[i]),
          'int32'
        )
      }
    },
    dispose: () => {}
  }
}
