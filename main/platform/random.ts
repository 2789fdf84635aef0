/**
 * The one seeded random generator of the workbench (splits, label budgets, epoch orders,
 * augmentation, labelled batches): every draw replays from its seed, so runs are reproducible.
 */

/** Mulberry32: a small, fast, well-distributed seeded generator. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

/** Fisher–Yates shuffle of `items` (returned) with the draws of `random`. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[items[i], items[j]] = [items[j], items[i]]
  }
  return items
}

/**
 * `n` distinct picks from `pool` (all of it when smaller), drawn with a seed: the labelled batch
 * of a step depends only on the run's seed and the step, so a resumed run draws the same ones.
 */
export function sampleWithoutReplacement(
  pool: readonly number[],
  n: number,
  seed: number
): number[] {
  if (pool.length <= n) return [...pool]
  const random = seededRandom(seed)
  const copy = [...pool]
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (copy.length - i))
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
  }
  return copy.slice(0, n)
}
