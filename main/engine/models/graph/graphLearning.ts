/**
 * Graph-based semi-supervised learning: a few labels spread over a k-nearest-neighbour graph.
 *
 * - Graph: self-tuning Gaussian weights (Zelnik-Manor & Perona 2004, as Calder's GraphLearning
 *   builds them): w_ij = exp(−4 |x_i − x_j|² / ε_i²), ε_i the distance from i to its k-th
 *   neighbour, then symmetrised W = (W + Wᵀ) / 2.
 * - Poisson learning (Calder, Cook, Thorpe & Slepčev, "Poisson Learning: Graph Based
 *   Semi-Supervised Learning at Very Low Label Rates", ICML 2020, Algorithm 1): solve L u = b with
 *   sources b_i = y_i − ȳ at the labelled nodes by the iteration u ← u + D⁻¹(b − L u), stopped when
 *   a random walk from the labels has mixed, then rebalance each class by 1/ȳ_c.
 * - Laplace learning (Zhu, Ghahramani & Lafferty 2003): the harmonic extension, L u = 0 off the
 *   labels with u = y on them; solved by conjugate gradients on the unlabelled block. It degrades
 *   at very low label rates (the spikes Poisson learning was designed to avoid).
 *
 * Plain typed arrays: the graph is a CSR matrix of n·2k entries at most, cheap in JS at 60k nodes.
 */

/** A symmetric sparse weight matrix in compressed-row form, without self-loops. */
export interface WeightGraph {
  n: number
  rowStart: Int32Array
  columns: Int32Array
  weights: Float32Array
}

/** The k nearest neighbours of every node (self excluded), nearest first, row-major n × k. */
export interface Neighbours {
  n: number
  k: number
  indices: Int32Array
  /** Squared Euclidean distances. */
  squaredDistances: Float32Array
}

export interface LabelledNode {
  index: number
  label: number
}

/** exp(−4 d² / ε²) for one node's neighbour distances, ε² the k-th (largest) one. */
export function selfTuningWeights(squaredDistances: ArrayLike<number>): Float32Array {
  const k = squaredDistances.length
  const scale = Math.max(squaredDistances[k - 1], 1e-12)
  return Float32Array.from({ length: k }, (_, j) => Math.exp((-4 * squaredDistances[j]) / scale))
}

/** The symmetrised self-tuning kNN graph, W = (W + Wᵀ) / 2. */
export function knnWeightGraph(neighbours: Neighbours): WeightGraph {
  const { n, k } = neighbours
  // Each directed edge contributes w/2 to (i, j) and to (j, i); duplicates are summed below.
  const rows = new Int32Array(2 * n * k)
  const cols = new Int32Array(2 * n * k)
  const values = new Float32Array(2 * n * k)
  let e = 0
  for (let i = 0; i < n; i++) {
    const w = selfTuningWeights(neighbours.squaredDistances.subarray(i * k, (i + 1) * k))
    for (let j = 0; j < k; j++) {
      const other = neighbours.indices[i * k + j]
      if (other === i || other < 0) continue
      rows[e] = i
      cols[e] = other
      values[e++] = w[j] / 2
      rows[e] = other
      cols[e] = i
      values[e++] = w[j] / 2
    }
  }
  return fromTriplets(n, rows.subarray(0, e), cols.subarray(0, e), values.subarray(0, e))
}

/** CSR from (row, column, value) triplets, summing duplicates. */
export function fromTriplets(
  n: number,
  rows: Int32Array,
  cols: Int32Array,
  values: Float32Array
): WeightGraph {
  const counts = new Int32Array(n + 1)
  for (const r of rows) counts[r + 1]++
  for (let i = 0; i < n; i++) counts[i + 1] += counts[i]
  const fill = counts.slice(0, n)
  const byRowCols = new Int32Array(rows.length)
  const byRowValues = new Float32Array(rows.length)
  for (let e = 0; e < rows.length; e++) {
    const at = fill[rows[e]]++
    byRowCols[at] = cols[e]
    byRowValues[at] = values[e]
  }
  // Merge duplicate columns within each row (sort the row's few entries by column).
  const rowStart = new Int32Array(n + 1)
  const columns: number[] = []
  const weights: number[] = []
  for (let i = 0; i < n; i++) {
    const order = Array.from({ length: counts[i + 1] - counts[i] }, (_, j) => counts[i] + j).sort(
      (a, b) => byRowCols[a] - byRowCols[b]
    )
    for (const at of order) {
      const last = columns.length - 1
      if (last >= rowStart[i] && columns[last] === byRowCols[at]) weights[last] += byRowValues[at]
      else {
        columns.push(byRowCols[at])
        weights.push(byRowValues[at])
      }
    }
    rowStart[i + 1] = columns.length
  }
  return { n, rowStart, columns: Int32Array.from(columns), weights: Float32Array.from(weights) }
}

export function degrees(graph: WeightGraph): Float64Array {
  const d = new Float64Array(graph.n)
  for (let i = 0; i < graph.n; i++)
    for (let e = graph.rowStart[i]; e < graph.rowStart[i + 1]; e++) d[i] += graph.weights[e]
  return d
}

/** out = W · u for an n × c row-major matrix u. */
function multiply(graph: WeightGraph, u: Float64Array, c: number, out: Float64Array): void {
  out.fill(0)
  for (let i = 0; i < graph.n; i++)
    for (let e = graph.rowStart[i]; e < graph.rowStart[i + 1]; e++) {
      const w = graph.weights[e]
      const j = graph.columns[e] * c
      for (let m = 0; m < c; m++) out[i * c + m] += w * u[j + m]
    }
}

function checkLabels(graph: WeightGraph, labelled: readonly LabelledNode[], classes: number): void {
  if (labelled.length === 0) throw new Error('Graph learning needs at least one labelled image.')
  for (const { index, label } of labelled)
    if (index < 0 || index >= graph.n || label < 0 || label >= classes)
      throw new Error(`Labelled node ${index} (class ${label}) is outside the graph.`)
}

export interface Propagation {
  /** Class scores, row-major n × classes (rebalanced; argmax is the label). */
  scores: Float64Array
  classes: number
  iterations: number
}

/**
 * Poisson learning. Stops after at least `minIterations` once a random walk started at the labelled
 * nodes is within 1/n of the stationary distribution (Calder et al.'s criterion), or at
 * `maxIterations`.
 */
export function poissonLearning(
  graph: WeightGraph,
  labelled: readonly LabelledNode[],
  classes: number,
  options: { minIterations?: number; maxIterations?: number } = {}
): Propagation {
  checkLabels(graph, labelled, classes)
  const { n } = graph
  const minIterations = options.minIterations ?? 50
  const maxIterations = options.maxIterations ?? 1000
  const d = degrees(graph)
  const inverse = d.map((v) => 1 / (v + 1e-10))
  const mean = new Float64Array(classes)
  for (const { label } of labelled) mean[label] += 1 / labelled.length
  // Sources: b_i = onehot(y_i) − ȳ at labelled nodes (so Σ b = 0 and L u = b is solvable).
  const source = new Float64Array(n * classes)
  for (const { index, label } of labelled) {
    for (let m = 0; m < classes; m++) source[index * classes + m] -= mean[m]
    source[index * classes + label] += 1
  }
  let u = new Float64Array(n * classes)
  let next = new Float64Array(n * classes)
  // Random walk v ← W D⁻¹ v from the labels, against its limit d / Σd (scaled alike).
  let walk = new Float64Array(n)
  for (const { index } of labelled) walk[index] = 1 / labelled.length
  const total = d.reduce((a, b) => a + b, 0)
  const limit = d.map((v) => v / total)
  const scaled = new Float64Array(n)
  const walked = new Float64Array(n)
  let iterations = 0
  const mixed = (): boolean => {
    let worst = 0
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(walk[i] - limit[i]))
    return worst <= 1 / n
  }
  while (iterations < maxIterations && (iterations < minIterations || !mixed())) {
    // u ← D⁻¹ b + D⁻¹ W u, which is u + D⁻¹ (b − L u).
    multiply(graph, u, classes, next)
    for (let i = 0; i < n; i++)
      for (let m = 0; m < classes; m++) {
        const at = i * classes + m
        next[at] = inverse[i] * (source[at] + next[at])
      }
    ;[u, next] = [next, u]
    for (let i = 0; i < n; i++) scaled[i] = walk[i] * inverse[i]
    multiply(graph, scaled, 1, walked)
    ;[walk] = [walked.slice()]
    iterations++
  }
  // Class balancing: divide class m's column by its share of the labels (Calder et al. §2.3).
  for (let i = 0; i < n; i++)
    for (let m = 0; m < classes; m++) if (mean[m] > 0) u[i * classes + m] /= mean[m]
  for (let i = 0; i < n; i++)
    for (let m = 0; m < classes; m++) if (mean[m] === 0) u[i * classes + m] = -Infinity
  return { scores: u, classes, iterations }
}

/**
 * Laplace learning: the harmonic function with the given labels, by conjugate gradients on
 * L_uu u_u = W_ul y_l (one solve per class, run together), to a relative residual of `tolerance`.
 */
export function laplaceLearning(
  graph: WeightGraph,
  labelled: readonly LabelledNode[],
  classes: number,
  options: { tolerance?: number; maxIterations?: number } = {}
): Propagation {
  checkLabels(graph, labelled, classes)
  const { n } = graph
  const tolerance = options.tolerance ?? 1e-5
  const maxIterations = options.maxIterations ?? 2000
  const d = degrees(graph)
  const fixed = new Int8Array(n)
  const u = new Float64Array(n * classes)
  for (const { index, label } of labelled) {
    fixed[index] = 1
    u[index * classes + label] = 1
  }
  // A x for the unlabelled block, x zero on labelled nodes: (D − W) x restricted to free nodes.
  const product = new Float64Array(n * classes)
  const apply = (x: Float64Array, out: Float64Array): void => {
    multiply(graph, x, classes, product)
    for (let i = 0; i < n; i++)
      for (let m = 0; m < classes; m++) {
        const at = i * classes + m
        out[at] = fixed[i] ? 0 : d[i] * x[at] - product[at]
      }
  }
  // Right-hand side: W_ul y_l = (W u) on free nodes, with u holding only the labels.
  const residual = new Float64Array(n * classes)
  multiply(graph, u, classes, residual)
  for (let i = 0; i < n; i++) if (fixed[i]) residual.fill(0, i * classes, (i + 1) * classes)
  const x = new Float64Array(n * classes)
  const direction = residual.slice()
  const ad = new Float64Array(n * classes)
  const columnDots = (a: Float64Array, b: Float64Array): Float64Array => {
    const out = new Float64Array(classes)
    for (let i = 0; i < a.length; i++) out[i % classes] += a[i] * b[i]
    return out
  }
  let rr = columnDots(residual, residual)
  const start = rr.map(Math.sqrt)
  let iterations = 0
  const converged = (): boolean => rr.every((v, m) => Math.sqrt(v) <= tolerance * (start[m] || 1))
  while (iterations < maxIterations && !converged()) {
    apply(direction, ad)
    const dAd = columnDots(direction, ad)
    const alpha = rr.map((v, m) => (dAd[m] > 0 ? v / dAd[m] : 0))
    for (let i = 0; i < x.length; i++) {
      x[i] += alpha[i % classes] * direction[i]
      residual[i] -= alpha[i % classes] * ad[i]
    }
    const next = columnDots(residual, residual)
    const beta = next.map((v, m) => (rr[m] > 0 ? v / rr[m] : 0))
    for (let i = 0; i < x.length; i++) direction[i] = residual[i] + beta[i % classes] * direction[i]
    rr = next
    iterations++
  }
  for (let i = 0; i < n; i++)
    if (!fixed[i]) u.set(x.subarray(i * classes, (i + 1) * classes), i * classes)
  return { scores: u, classes, iterations }
}

/** Each node's class (argmax of its scores) and margin over the runner-up. */
export function labelsFromScores(propagation: Propagation): {
  labels: Int32Array
  margins: Float32Array
} {
  const { scores, classes } = propagation
  const n = scores.length / classes
  const labels = new Int32Array(n)
  const margins = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    let best = 0
    let second = -Infinity
    for (let m = 1; m < classes; m++) {
      const v = scores[i * classes + m]
      if (v > scores[i * classes + best]) {
        second = scores[i * classes + best]
        best = m
      } else if (v > second) second = v
    }
    labels[i] = best
    const top = scores[i * classes + best]
    margins[i] = Number.isFinite(second) ? top - second : Number.isFinite(top) ? Infinity : 0
  }
  return { labels, margins }
}

/**
 * The nodes confident enough to train on: within each predicted class, the `share` of nodes with
 * the largest margins (per class, so a class that propagates weakly still contributes).
 */
export function confidentNodes(
  labels: Int32Array,
  margins: Float32Array,
  classes: number,
  share: number
): number[] {
  const byClass: number[][] = Array.from({ length: classes }, () => [])
  labels.forEach((label, i) => byClass[label].push(i))
  return byClass
    .flatMap((members) =>
      members.sort((a, b) => margins[b] - margins[a]).slice(0, Math.round(members.length * share))
    )
    .sort((a, b) => a - b)
}
