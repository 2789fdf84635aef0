/**
 * Graph label propagation on graphs whose answer is known: two well-separated clusters with one
 * label each (Poisson and Laplace learning must label every node by its cluster), a path graph
 * where Laplace learning is the linear interpolation between its two labelled ends, the exact
 * kNN on the tensor backend against a brute-force search, and the inductive vote (tf) against
 * the same vote computed on the host.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  confidentNodes,
  degrees,
  fromTriplets,
  knnWeightGraph,
  labelsFromScores,
  laplaceLearning,
  poissonLearning,
  selfTuningWeights
} from '../../../../main/engine/models/graph/graphLearning'
import {
  bankNeighbours,
  neighbourVote,
  voteOf
} from '../../../../main/engine/models/graph/latentNeighbours'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

/** Seeded points around `centres`, `perCluster` each, σ = 0.3 (centres 10 apart). */
function clusters(centres: number[][], perCluster: number, seed = 7): Float32Array {
  let state = seed
  const gaussian = (): number => {
    state = (state * 1664525 + 1013904223) >>> 0
    const u = (state + 1) / 2 ** 32
    state = (state * 1664525 + 1013904223) >>> 0
    const v = state / 2 ** 32
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }
  const dim = centres[0].length
  const out = new Float32Array(centres.length * perCluster * dim)
  centres.forEach((centre, c) => {
    for (let p = 0; p < perCluster; p++)
      for (let d = 0; d < dim; d++)
        out[(c * perCluster + p) * dim + d] = centre[d] + 0.3 * gaussian()
  })
  return out
}

async function twoClusterGraph(perCluster: number) {
  const points = clusters(
    [
      [0, 0, 0],
      [10, 10, 10]
    ],
    perCluster
  )
  const bank = tf.tensor2d(points, [2 * perCluster, 3])
  const neighbours = await bankNeighbours(bank, 5)
  return { bank, neighbours, graph: knnWeightGraph(neighbours) }
}

describe('graph construction', () => {
  it('self-tuning weights are 1 at distance 0 and e⁻⁴ at the k-th neighbour', () => {
    const w = selfTuningWeights([0, 1, 4])
    expect(w[0]).toBeCloseTo(1, 6)
    expect(w[1]).toBeCloseTo(Math.exp(-1), 6)
    expect(w[2]).toBeCloseTo(Math.exp(-4), 6)
  })

  it('exact kNN on the backend equals a brute-force search, the node itself excluded', async () => {
    const points = clusters(
      [
        [0, 0],
        [3, 1],
        [-2, 4]
      ],
      20,
      3
    )
    const n = 60
    const found = await bankNeighbours(tf.tensor2d(points, [n, 2]), 4)
    for (let i = 0; i < n; i++) {
      const brute = Array.from({ length: n }, (_, j) => j)
        .filter((j) => j !== i)
        .map((j) => ({
          j,
          d2: (points[2 * i] - points[2 * j]) ** 2 + (points[2 * i + 1] - points[2 * j + 1]) ** 2
        }))
        .sort((a, b) => a.d2 - b.d2)
        .slice(0, 4)
      expect(Array.from(found.indices.subarray(4 * i, 4 * i + 4))).toEqual(brute.map((b) => b.j))
      brute.forEach((b, m) => expect(found.squaredDistances[4 * i + m]).toBeCloseTo(b.d2, 3))
    }
  })

  it('the weight matrix is symmetric, without self-loops, with duplicates summed', async () => {
    const { graph } = await twoClusterGraph(30)
    const at = (i: number, j: number): number => {
      for (let e = graph.rowStart[i]; e < graph.rowStart[i + 1]; e++)
        if (graph.columns[e] === j) return graph.weights[e]
      return 0
    }
    for (let i = 0; i < graph.n; i++) {
      expect(at(i, i)).toBe(0)
      for (let e = graph.rowStart[i]; e < graph.rowStart[i + 1]; e++)
        expect(at(graph.columns[e], i)).toBeCloseTo(graph.weights[e], 6)
    }
    // No edge crosses between clusters 17 units apart when each has 30 close points.
    for (let i = 0; i < 30; i++)
      for (let e = graph.rowStart[i]; e < graph.rowStart[i + 1]; e++)
        expect(graph.columns[e]).toBeLessThan(30)
    const merged = fromTriplets(
      2,
      Int32Array.from([0, 0, 1]),
      Int32Array.from([1, 1, 0]),
      Float32Array.from([0.25, 0.5, 0.75])
    )
    expect(Array.from(merged.weights)).toEqual([0.75, 0.75])
    expect(Array.from(degrees(merged))).toEqual([0.75, 0.75])
  })
})

describe('label propagation', () => {
  it('Poisson learning labels two separated clusters by their one label each', async () => {
    const { graph } = await twoClusterGraph(50)
    const result = poissonLearning(
      graph,
      [
        { index: 3, label: 0 },
        { index: 71, label: 1 }
      ],
      2
    )
    const { labels } = labelsFromScores(result)
    expect(Array.from(labels.subarray(0, 50))).toEqual(new Array(50).fill(0))
    expect(Array.from(labels.subarray(50))).toEqual(new Array(50).fill(1))
    expect(result.iterations).toBeGreaterThanOrEqual(50)
  })

  it('Laplace learning does too, and is exact on a path: linear between its labelled ends', async () => {
    const { graph } = await twoClusterGraph(50)
    const two = labelsFromScores(
      laplaceLearning(
        graph,
        [
          { index: 10, label: 1 },
          { index: 60, label: 0 }
        ],
        2
      )
    ).labels
    expect(Array.from(two.subarray(0, 50))).toEqual(new Array(50).fill(1))
    expect(Array.from(two.subarray(50))).toEqual(new Array(50).fill(0))

    // Path 0 — 1 — 2 — 3 — 4 with unit weights, labels at the ends: u(i) = i / 4 for class 1.
    const rows = Int32Array.from([0, 1, 1, 2, 2, 3, 3, 4])
    const cols = Int32Array.from([1, 0, 2, 1, 3, 2, 4, 3])
    const path = fromTriplets(5, rows, cols, new Float32Array(8).fill(1))
    const harmonic = laplaceLearning(
      path,
      [
        { index: 0, label: 0 },
        { index: 4, label: 1 }
      ],
      2
    )
    for (let i = 0; i < 5; i++) {
      expect(harmonic.scores[i * 2 + 1]).toBeCloseTo(i / 4, 6)
      expect(harmonic.scores[i * 2]).toBeCloseTo(1 - i / 4, 6)
    }
  })

  it('refuses labels outside the graph or the classes, and an empty label set', async () => {
    const { graph } = await twoClusterGraph(10)
    expect(() => poissonLearning(graph, [], 2)).toThrow(/at least one labelled/)
    expect(() => poissonLearning(graph, [{ index: 99, label: 0 }], 2)).toThrow(/outside/)
    expect(() => laplaceLearning(graph, [{ index: 0, label: 5 }], 2)).toThrow(/outside/)
  })

  it('confident nodes are the top share by margin within each predicted class', () => {
    const labels = Int32Array.from([0, 0, 0, 0, 1, 1])
    const margins = Float32Array.from([0.1, 0.9, 0.5, 0.2, 0.3, 0.8])
    expect(confidentNodes(labels, margins, 2, 0.5)).toEqual([1, 2, 5])
    expect(confidentNodes(labels, margins, 2, 1)).toEqual([0, 1, 2, 3, 4, 5])
  })
})

describe('inductive classification', () => {
  it('a query is voted by its nearest bank points with self-tuning weights, as on the host', async () => {
    const { bank } = await twoClusterGraph(20)
    const bankLabels = tf.tensor1d(
      Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 1)),
      'float32'
    )
    // Queries near each cluster, and one halfway.
    const queries = tf.tensor2d([0.2, 0.1, 0, 9.8, 10, 10.1, 5, 5, 5], [3, 3])
    const logShares = neighbourVote(queries, bank, bankLabels, 6, 2)
    const shares = tf.exp(logShares).arraySync() as number[][]
    expect(shares[0][0]).toBeGreaterThan(0.99)
    expect(shares[1][1]).toBeGreaterThan(0.99)
    // The host's vote on the same neighbours agrees.
    const q = (await queries.array()) as number[][]
    const b = (await bank.array()) as number[][]
    const labels = (await bankLabels.array()) as number[]
    for (let i = 0; i < 3; i++) {
      const nearest = b
        .map((p, j) => ({ j, d2: p.reduce((s, v, d) => s + (v - q[i][d]) ** 2, 0) }))
        .sort((x, y) => x.d2 - y.d2)
        .slice(0, 6)
      const host = voteOf(
        nearest.map((n) => n.d2),
        nearest.map((n) => labels[n.j]),
        2
      )
      expect(shares[i][0]).toBeCloseTo(host[0], 4)
      expect(shares[i][1]).toBeCloseTo(host[1], 4)
    }
  })
})
