/**
 * Plain-number helpers for saliency maps: scaling a map to [0, 1] for display, and Spearman's
 * rank correlation, the similarity Adebayo et al. (2018) compare maps of a trained and a
 * randomised model with. No tensors, so they are tested directly.
 */

/**
 * Scales a non-negative map to [0, 1] by its 99th percentile (values above are clipped), as
 * Smilkov et al. (2017) display gradients: one extreme pixel does not wash the rest out. An
 * all-zero map stays zero.
 */
export function scaleToUnit(values: Float32Array, percentile = 0.99): Float32Array {
  const sorted = Float32Array.from(values).sort()
  const top = sorted[Math.min(sorted.length - 1, Math.floor(percentile * (sorted.length - 1)))]
  const scale = top > 0 ? top : sorted[sorted.length - 1]
  const out = new Float32Array(values.length)
  if (!(scale > 0)) return out
  for (let i = 0; i < values.length; i++) out[i] = Math.min(1, Math.max(0, values[i] / scale))
  return out
}

/** Ranks 1…n, ties sharing their mean rank. */
function ranks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort(
    (a, b) => values[a] - values[b]
  )
  const out = new Float64Array(values.length)
  for (let start = 0; start < order.length;) {
    let end = start
    while (end + 1 < order.length && values[order[end + 1]] === values[order[start]]) end++
    const mean = (start + end) / 2 + 1
    for (let k = start; k <= end; k++) out[order[k]] = mean
    start = end + 1
  }
  return out
}

/**
 * Spearman's ρ: Pearson's correlation of the ranks. A constant map orders nothing, so its
 * correlation with any map is 0.
 */
export function rankCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error('Maps of different sizes cannot be compared.')
  const ra = ranks(a)
  const rb = ranks(b)
  const mean = (a.length + 1) / 2
  let cov = 0
  let va = 0
  let vb = 0
  for (let i = 0; i < a.length; i++) {
    cov += (ra[i] - mean) * (rb[i] - mean)
    va += (ra[i] - mean) ** 2
    vb += (rb[i] - mean) ** 2
  }
  return va === 0 || vb === 0 ? 0 : cov / Math.sqrt(va * vb)
}
