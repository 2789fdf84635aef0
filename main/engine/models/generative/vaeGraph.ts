/**
 * vae-graph: a VAE's latent space as the place where a few labels spread — the M1 idea of Kingma,
 * Rezende, Mohamed & Welling, "Semi-Supervised Learning with Deep Generative Models", 2014, with a
 * graph classifier on the latent means, as Calder et al., "Poisson Learning", ICML 2020 ran it
 * (code: jwcalder/GraphLearning; Fashion-MNIST 75.2 ± 1.5% at 10 labels per class).
 *
 * 1. A VAE learns from every training image, labelled or not (its loss never sees a label).
 *    Paper setting, kept: MLP 784-400-20 with ReLU, Bernoulli decoder, Adam 1e-3, batch 128.
 *    Departure: 10 epochs by default (the paper's VAE trained for 100), so a run takes about
 *    5 minutes on 2 CPU cores; measured on Fashion-MNIST, 10 labels per class, seed 0: 73.6%
 *    after 10 epochs (bench/RESULTS.md). More epochs are a GPU setting (--epochs 100).
 * 2. After training, the latent means of the training images form a k = 10 nearest-neighbour graph
 *    with self-tuning Gaussian weights (paper setting), and Poisson learning (default) or Laplace
 *    learning spreads the budget's labels over it (models/graph/graphLearning.ts).
 * 3. New images — the test split, predictions — are classified inductively: encoded, then a
 *    weighted vote of their k nearest training latents' propagated labels. They never join the
 *    graph (Calder et al. put the test images in the graph, transductively; a product that
 *    predicts on new files cannot).
 *
 * The labelled latent bank (latent means and propagated labels) is part of the checkpoint, so
 * evaluation, predict and the confusion matrix work from a saved run like any classifier's.
 */
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import type { BatchSource } from '../../batchSources'
import {
  knnWeightGraph,
  labelsFromScores,
  laplaceLearning,
  poissonLearning,
  type LabelledNode
} from '../graph/graphLearning'
import { bankNeighbours, neighbourVote } from '../graph/latentNeighbours'
import type { ImageShape } from './networks'
import type { AfterTraining, GenerativeModel, RecipeContext } from './recipe'
import { buildVaeParts } from './vae'

/** Hidden units of the paper's MLP encoder and decoder. */
export const hiddenUnits = 400

/** 784 → 400 (ReLU) → [μ, log σ²] and 20 → 400 (ReLU) → 784 (sigmoid), seeded Glorot weights. */
export function buildMlpVaeNetworks(
  shape: ImageShape,
  latent: number,
  seed: number
): { encoder: tfl.LayersModel; decoder: tfl.LayersModel } {
  const pixels = shape.height * shape.width * shape.channels
  const init = (salt: number) => ({
    kernelInitializer: tfl.initializers.glorotUniform({ seed: seed * 100 + salt })
  })
  const input = tfl.input({ shape: [shape.height, shape.width, shape.channels] })
  const flat = tfl.layers.flatten().apply(input)
  const hidden = tfl.layers
    .dense({ units: hiddenUnits, activation: 'relu', ...init(1) })
    .apply(flat) as tfl.SymbolicTensor
  const heads = [2, 3].map(
    (salt) => tfl.layers.dense({ units: latent, ...init(salt) }).apply(hidden) as tfl.SymbolicTensor
  )
  const encoder = tfl.model({ inputs: input, outputs: heads })
  const decoder = tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [latent],
        units: hiddenUnits,
        activation: 'relu',
        ...init(4)
      }),
      tfl.layers.dense({ units: pixels, activation: 'sigmoid', ...init(5) }),
      tfl.layers.reshape({ targetShape: [shape.height, shape.width, shape.channels] })
    ]
  })
  return { encoder, decoder }
}

const encodeBatch = 500

export function buildVaeGraph(context: RecipeContext): GenerativeModel {
  const { shape, classes, config } = context
  const parts = buildVaeParts(
    context,
    false,
    buildMlpVaeNetworks(shape, config.latentDim, config.seed)
  )
  const buffers: Record<string, tf.Tensor> = {}
  const k = config.neighbours

  /** Latent means of the given images, on the device. */
  const latents = (source: BatchSource, indices: readonly number[]): tf.Tensor2D => {
    const chunks: tf.Tensor2D[] = []
    for (let from = 0; from < indices.length; from += encodeBatch) {
      const batch = source.batch(indices.slice(from, from + encodeBatch), -1)
      chunks.push(tf.tidy(() => parts.encode(batch.x, batch.y, false)[0]))
      tf.dispose([batch.x, batch.y])
    }
    const all = tf.concat(chunks) as tf.Tensor2D
    tf.dispose(chunks)
    return all
  }

  return {
    ...parts.model,
    classScores: 'logits',
    buffers,
    async afterTraining(source, labelledIndices): Promise<AfterTraining> {
      const train = source.trainIndices
      const position = new Map(train.map((index, at) => [index, at]))
      const labelled: LabelledNode[] = labelledIndices.flatMap((index) => {
        const at = position.get(index)
        const label = source.labelOf(index)
        return at === undefined || label < 0 ? [] : [{ index: at, label }]
      })
      const started = performance.now()
      const bank = latents(source, train)
      const encoded = performance.now()
      const graph = knnWeightGraph(await bankNeighbours(bank, k))
      const built = performance.now()
      const propagation =
        config.propagation === 'laplace'
          ? laplaceLearning(graph, labelled, classes)
          : poissonLearning(graph, labelled, classes)
      const { labels, margins } = labelsFromScores(propagation)
      for (const { index, label } of labelled) labels[index] = label
      const propagated = performance.now()
      tf.dispose(Object.values(buffers))
      buffers.latents = bank
      buffers.labels = tf.tensor1d(Float32Array.from(labels))
      const isLabelled = new Set(labelled.map((l) => l.index))
      return {
        pseudoLabels: {
          method: config.propagation,
          indices: train,
          labels: Array.from(labels),
          // Labelled images rank first; the rest by their margin over the runner-up class.
          margins: Array.from(margins, (m, at) => (isLabelled.has(at) ? null : Math.min(m, 1e30))),
          labelled: labelled.map((l) => train[l.index])
        },
        metrics: {
          'graph/encode_seconds': (encoded - started) / 1000,
          'graph/knn_seconds': (built - encoded) / 1000,
          'graph/propagate_seconds': (propagated - built) / 1000,
          'graph/iterations': propagation.iterations,
          'graph/edges': graph.columns.length
        }
      }
    },
    classify(x) {
      if (!buffers.latents)
        throw new Error(
          'This vae-graph run has no propagated labels yet; they are made when training ends.'
        )
      return tf.tidy(() =>
        neighbourVote(
          parts.encode(x, tf.zeros([x.shape[0]], 'int32'), false)[0],
          buffers.latents as tf.Tensor2D,
          buffers.labels as tf.Tensor1D,
          k,
          classes
        )
      )
    }
  }
}
