/**
 * Where the training loop gets its batches: the square-pattern test images, or an imported dataset's uint8 cache
 * (augmented on the fly, then normalised), read in the engine worker so pixels never cross threads.
 * On the GPU rung the cache stays on the device and augmentation runs there too.
 */
import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import { augmentBatch, type ImageShape } from '../datasets/augment'
import { channelStats, normalise, type ChannelStats } from '../datasets/normalize'
import type { DatasetData, SquaresData } from './engineMessages'
import { squareImages } from './squareImages'
import { augmentOnDevice, normaliseOnDevice } from './deviceAugment'
import { gpuBufferLimit } from './webgpuBackend'

/** Images a saved generator drew for this run, as uint8 pixels after the cache's images. */
export interface GeneratedSet {
  pixels: Uint8Array
  labels: number[]
}

export interface BatchSource {
  trainIndices: number[]
  valIndices: number[]
  evalIndices: number[]
  /** Label of every image index. */
  labelOf(index: number): number
  /** Images (augmented when `step` ≥ 0) and labels for the given indices; the caller disposes them. */
  batch(indices: number[], step: number): { x: tf.Tensor4D; y: tf.Tensor1D }
  /** `standardize` runs: the per-channel statistics the images are standardised with. */
  stats?: ChannelStats
  dispose(): void
}

export function squaresSource(data: SquaresData, seed: number): BatchSource {
  const { images, labels, labelValues } = squareImages(data.samples, data, seed)
  const all = Array.from({ length: data.samples }, (_, i) => i)
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

/**
 * Batches of an imported dataset. Generated images (augment, CAS) are appended after the cache's
 * images with their own indices; CAS trains on those alone, so no real training image is read.
 */
export function datasetSource(
  data: DatasetData,
  seed: number,
  generated?: GeneratedSet,
  onDevice = tf.getBackend() === 'webgpu'
): BatchSource {
  const cache = readFileSync(data.cacheFile)
  const pixels = generated ? Buffer.concat([cache, generated.pixels]) : cache
  const labels = generated ? [...data.labels, ...generated.labels] : data.labels
  const generatedIndices = generated ? generated.labels.map((_, i) => data.labels.length + i) : []
  const trainIndices = data.generated?.only
    ? generatedIndices
    : [...data.trainIndices, ...generatedIndices]
  const shape = { height: data.height, width: data.width, channels: data.channels }
  const size = data.height * data.width * data.channels
  const stats: ChannelStats | undefined =
    data.normalisation === 'standardize'
      ? channelStats(pixels, size, data.channels, trainIndices)
      : undefined
  const base = {
    trainIndices,
    valIndices: data.valIndices,
    evalIndices: data.evalIndices,
    labelOf: (index: number) => labels[index],
    stats
  }
  const labelsOf = (indices: number[]): tf.Tensor1D =>
    tf.tensor1d(
      indices.map((i) => labels[i]),
      'int32'
    )
  if (onDevice) return { ...base, ...deviceBatches(data, shape, pixels, labelsOf, seed, stats) }
  return {
    ...base,
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
      return { x, y: labelsOf(indices) }
    },
    dispose: () => {}
  }
}

/** Bytes of images kept on the GPU for a whole run (as float32); larger sets upload per batch. */
const deviceCacheBytes = 512 * 2 ** 20

/**
 * GPU batches: the whole image cache lives on the device when it fits (a batch is then a gather
 * by index, with nothing but the indices uploaded), else each batch's uint8 pixels are uploaded;
 * augmentation and normalisation run on the device (deviceAugment.ts).
 */
function deviceBatches(
  data: DatasetData,
  shape: ImageShape,
  pixels: Uint8Array,
  labelsOf: (indices: number[]) => tf.Tensor1D,
  seed: number,
  stats: ChannelStats | undefined
): Pick<BatchSource, 'batch' | 'dispose'> {
  const size = shape.height * shape.width * shape.channels
  const resident =
    pixels.length * 4 <= Math.min(deviceCacheBytes, gpuBufferLimit() / 2)
      ? tf.tensor2d(Float32Array.from(pixels), [pixels.length / size, size])
      : null
  const upload = (indices: number[]): tf.Tensor2D => {
    const raw = new Float32Array(indices.length * size)
    indices.forEach((index, k) =>
      raw.set(pixels.subarray(index * size, (index + 1) * size), k * size)
    )
    return tf.tensor2d(raw, [indices.length, size])
  }
  return {
    batch(indices, step) {
      const x = tf.tidy(() => {
        const rows = resident ? tf.gather(resident, tf.tensor1d(indices, 'int32')) : upload(indices)
        let images = tf.reshape(rows, [
          indices.length,
          shape.height,
          shape.width,
          shape.channels
        ]) as tf.Tensor4D
        // Each step gets its own augmentation seed, as on the CPU path.
        if (step >= 0 && data.augmentation)
          images = augmentOnDevice(images, shape, data.augmentation, seed * 1_000_003 + step)
        return normaliseOnDevice(images, data.normalisation, stats)
      })
      return { x, y: labelsOf(indices) }
    },
    dispose: () => resident?.dispose()
  }
}
