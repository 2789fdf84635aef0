/**
 * Measures a generator with a classifier trained on the same dataset (no Inception network can be
 * downloaded): the Fréchet distance between real and generated penultimate-layer features — "FD
 * (dataset classifier)", not FID, since the feature space is not Inception's — an Inception-Score
 * style score from its predictions, and, for conditional models, how often it recognises the class
 * a sample was generated for.
 */
import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { channelStats, normalise, type ChannelStats } from '../../datasets/normalize'
import { buildClassifier } from '../models/classifierPresets'
import { latentCodes, type GenerativeModel } from '../models/generative/recipe'
import { readCheckpoint, restoreModelWeights } from '../checkpoint'
import type { DatasetData, EvaluatorSpec, ScoresCore } from '../engineMessages'
import { toPixels } from './sampleImages'
import {
  conditionalAccuracy,
  featureStatistics,
  frechetDistance,
  inceptionStyleScore
} from './scores'

interface Judged {
  features: Float32Array
  probabilities: Float32Array
  predicted: Int32Array
  dim: number
}

export class Evaluator {
  private readonly classifier: tfl.LayersModel
  private readonly twoHeads: tfl.LayersModel
  private readonly stats?: ChannelStats
  private readonly cache: Buffer
  private realStats?: ReturnType<typeof featureStatistics>

  constructor(
    readonly spec: EvaluatorSpec,
    private readonly data: DatasetData
  ) {
    this.classifier = buildClassifier(spec.preset, data, 0)
    const checkpoint = readCheckpoint(spec.checkpointFile)
    try {
      restoreModelWeights(this.classifier, checkpoint.weights)
    } finally {
      tf.dispose([...checkpoint.weights, ...checkpoint.optimizer].map((t) => t.tensor))
    }
    // The layer before the logits (dense-128 for small-cnn, pooled features for the others).
    const penultimate = this.classifier.layers[this.classifier.layers.length - 2]
    this.twoHeads = tfl.model({
      inputs: this.classifier.inputs,
      outputs: [penultimate.output as tfl.SymbolicTensor, this.classifier.outputs[0]]
    })
    this.cache = readFileSync(data.cacheFile)
    const size = data.height * data.width * data.channels
    if (spec.normalisation === 'standardize')
      this.stats = channelStats(this.cache, size, data.channels, data.trainIndices)
  }

  /** Features, class probabilities and predictions of uint8 images, in chunks. */
  async judge(pixels: Uint8Array, count: number, chunk = 500): Promise<Judged> {
    const { height, width, channels } = this.data
    const size = height * width * channels
    const parts: { f: Float32Array; p: Float32Array; c: Int32Array }[] = []
    for (let from = 0; from < count; from += chunk) {
      const n = Math.min(chunk, count - from)
      const raw = pixels.subarray(from * size, (from + n) * size)
      const [f, p, c] = tf.tidy(() => {
        const x = tf.tensor4d(normalise(raw, channels, this.spec.normalisation, this.stats), [
          n,
          height,
          width,
          channels
        ])
        const [features, logits] = this.twoHeads.predict(x) as tf.Tensor[]
        return [tf.reshape(features, [n, -1]), tf.softmax(logits), tf.argMax(logits, 1)]
      })
      parts.push({
        f: (await f.data()) as Float32Array,
        p: (await p.data()) as Float32Array,
        c: (await c.data()) as Int32Array
      })
      tf.dispose([f, p, c])
    }
    const dim = parts[0].f.length / Math.min(chunk, count)
    return {
      features: concat(
        parts.map((x) => x.f),
        Float32Array
      ),
      probabilities: concat(
        parts.map((x) => x.p),
        Float32Array
      ),
      predicted: concat(
        parts.map((x) => x.c),
        Int32Array
      ),
      dim
    }
  }

  /** Feature statistics of up to `n` test images (computed once). */
  async real(n: number): Promise<ReturnType<typeof featureStatistics>> {
    if (this.realStats) return this.realStats
    const size = this.data.height * this.data.width * this.data.channels
    const indices = this.data.evalIndices.slice(0, n)
    const raw = new Uint8Array(indices.length * size)
    indices.forEach((index, k) =>
      raw.set(this.cache.subarray(index * size, (index + 1) * size), k * size)
    )
    const judged = await this.judge(raw, indices.length)
    this.realStats = featureStatistics(judged.features, indices.length, judged.dim)
    return this.realStats
  }

  /** Scores `n` samples of the model, deterministic for the seed. */
  async score(
    model: GenerativeModel,
    latentDim: number,
    n: number,
    seed: number
  ): Promise<ScoresCore> {
    const classes = this.data.classes
    const requested = Int32Array.from({ length: n }, (_, i) => i % classes)
    const images = tf.tidy(() => {
      const z = latentCodes(n, latentDim, seed, 0, 77)
      return model.generate(z, model.conditional ? tf.tensor1d(requested, 'int32') : null)
    })
    const batch = await toPixels(images)
    images.dispose()
    const judged = await this.judge(batch.pixels, n)
    const fake = featureStatistics(judged.features, n, judged.dim)
    const scores: ScoresCore = {
      fd: frechetDistance(await this.real(n), fake),
      classifierScore: inceptionStyleScore(judged.probabilities, n, classes),
      samples: n
    }
    if (model.conditional) {
      const accuracy = conditionalAccuracy(judged.predicted, requested, classes)
      scores.conditionalAccuracy = accuracy.overall
      scores.perClassAccuracy = accuracy.perClass
    }
    return scores
  }

  dispose(): void {
    this.classifier.dispose()
  }
}

function concat<T extends Float32Array | Int32Array>(
  parts: T[],
  Type: { new (length: number): T }
): T {
  const out = new Type(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
