/**
 * Turns uint8 pixels into the floats a model trains on. The recipe picks the mode: [0, 1] for
 * classifiers and Bernoulli decoders, [−1, 1] for tanh generators, or per-channel standardisation
 * with statistics of the training split.
 */
export type Normalisation = 'unit' | 'symmetric' | 'standardize'

export interface ChannelStats {
  mean: number[]
  std: number[]
}

/** Per-channel mean and standard deviation (in [0, 1] units) over the given images. */
export function channelStats(
  pixels: Uint8Array,
  imageSize: number,
  channels: number,
  indices: Iterable<number>
): ChannelStats {
  const sum = new Float64Array(channels)
  const sumSq = new Float64Array(channels)
  let count = 0
  for (const i of indices) {
    const base = i * imageSize
    for (let p = 0; p < imageSize; p += channels)
      for (let c = 0; c < channels; c++) {
        const v = pixels[base + p + c] / 255
        sum[c] += v
        sumSq[c] += v * v
      }
    count += imageSize / channels
  }
  const mean = Array.from(sum, (s) => s / count)
  const std = Array.from(sumSq, (s, c) => Math.sqrt(Math.max(s / count - mean[c] ** 2, 1e-12)))
  return { mean, std }
}

export function normalise(
  pixels: Uint8Array,
  channels: number,
  mode: Normalisation,
  stats?: ChannelStats
): Float32Array {
  const out = new Float32Array(pixels.length)
  if (mode === 'standardize' && !stats)
    throw new Error('standardize needs channel statistics of the training split')
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i] / 255
    if (mode === 'unit') out[i] = v
    else if (mode === 'symmetric') out[i] = v * 2 - 1
    else {
      const c = i % channels
      out[i] = (v - stats!.mean[c]) / stats!.std[c]
    }
  }
  return out
}
