/**
 * Exact nearest neighbours in a latent space, on the tensor backend: squared distances by one
 * matrix product per block of queries (|q|² + |p|² − 2 q·p), then top-k. 54,000 × 20-d points
 * take about 25 s on wasm with 2 threads; a GPU does it in a blink. Exact search is affordable at
 * this size, so no approximate index (and no approximation to explain) is needed.
 */
import * as tf from '@tensorflow/tfjs-core'
import { selfTuningWeights, type Neighbours } from './graphLearning'

const queryBlock = 512

/** The k nearest bank points of each query: squared distances (nearest first) and indices. */
export function nearestInBank(
  queries: tf.Tensor2D,
  bank: tf.Tensor2D,
  k: number
): { squaredDistances: tf.Tensor2D; indices: tf.Tensor2D } {
  return tf.tidy(() => {
    const bankNorms = tf.sum(tf.square(bank), 1)
    const queryNorms = tf.sum(tf.square(queries), 1, true)
    const d2 = tf.relu(
      tf.sub(tf.add(queryNorms, bankNorms), tf.mul(2, tf.matMul(queries, bank, false, true)))
    )
    const { values, indices } = tf.topk(tf.neg(d2), Math.min(k, bank.shape[0]))
    return { squaredDistances: tf.neg(values) as tf.Tensor2D, indices: indices as tf.Tensor2D }
  })
}

/** The kNN graph's neighbour lists of every bank point, itself excluded (read to the host). */
export async function bankNeighbours(bank: tf.Tensor2D, wanted: number): Promise<Neighbours> {
  const n = bank.shape[0]
  // A bank smaller than k + 1 (a tiny dataset) links every node to all the others.
  const k = Math.max(1, Math.min(wanted, n - 1))
  const indices = new Int32Array(n * k)
  const squaredDistances = new Float32Array(n * k)
  for (let from = 0; from < n; from += queryBlock) {
    const count = Math.min(queryBlock, n - from)
    const queries = tf.slice(bank, [from, 0], [count, -1])
    // One extra neighbour: the point itself (distance 0), dropped below.
    const found = nearestInBank(queries, bank, k + 1)
    const [d2, idx] = await Promise.all([found.squaredDistances.data(), found.indices.data()])
    tf.dispose([queries, found.squaredDistances, found.indices])
    for (let q = 0; q < count; q++) {
      const self = from + q
      let kept = 0
      for (let j = 0; j <= k && kept < k; j++) {
        const other = idx[q * (k + 1) + j]
        // Exact duplicates can rank another point before the node itself: skip only the node.
        if (other === self) continue
        indices[(from + q) * k + kept] = other
        squaredDistances[(from + q) * k + kept] = d2[q * (k + 1) + j]
        kept++
      }
    }
  }
  return { n, k, indices, squaredDistances }
}

/**
 * The inductive classifier: each query's k nearest bank points vote for their (propagated) class
 * with their self-tuning weights exp(−4 d² / ε²); returns log vote shares [n × classes], which a
 * softmax turns back into the shares. The query never joins the graph.
 */
export function neighbourVote(
  queries: tf.Tensor2D,
  bank: tf.Tensor2D,
  bankLabels: tf.Tensor1D,
  k: number,
  classes: number
): tf.Tensor2D {
  return tf.tidy(() => {
    const { squaredDistances, indices } = nearestInBank(queries, bank, k)
    const found = squaredDistances.shape[1]
    const scale = tf.maximum(tf.slice(squaredDistances, [0, found - 1], [-1, 1]), 1e-12)
    const weights = tf.exp(tf.div(tf.mul(squaredDistances, -4), scale))
    const votes = tf.oneHot(tf.cast(tf.gather(bankLabels, indices), 'int32'), classes)
    const perClass = tf.sum(tf.mul(votes, tf.expandDims(weights, 2)), 1)
    const shares = tf.div(perClass, tf.sum(perClass, 1, true))
    return tf.log(tf.add(shares, 1e-6)) as tf.Tensor2D
  })
}

/** The same vote on the host (tests compare it with `neighbourVote`). */
export function voteOf(
  squaredDistances: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number
): number[] {
  const weights = selfTuningWeights(squaredDistances)
  const votes = new Array<number>(classes).fill(0)
  for (let j = 0; j < weights.length; j++) votes[labels[j]] += weights[j]
  const total = votes.reduce((a, b) => a + b, 0)
  return votes.map((v) => v / total)
}
