/**
 * Label budgets: the labelled images a run may learn from when labels are scarce. K images per
 * class are drawn from the training split, stratified and seeded, so every recipe compared at the
 * same budget and seed sees exactly the same labelled images; the rest of the split is what
 * semi-supervised recipes get as unlabelled data.
 */
import { seededRandom, shuffleInPlace } from '../platform/random'

export interface LabelBudget {
  /** Training images that keep their label, in dataset order. */
  labelled: number[]
  /** The other training images (their labels are hidden from the run). */
  unlabelled: number[]
  /** Classes that had fewer than K training images: all of theirs are labelled. */
  shortClasses: number[]
}

export function drawLabelBudget(
  trainIndices: readonly number[],
  labelOf: (index: number) => number,
  perClass: number,
  seed: number
): LabelBudget {
  const byClass = new Map<number, number[]>()
  for (const index of trainIndices) {
    const label = labelOf(index)
    if (label < 0) continue
    const members = byClass.get(label)
    if (members) members.push(index)
    else byClass.set(label, [index])
  }
  const chosen = new Set<number>()
  const shortClasses: number[] = []
  for (const [label, indices] of [...byClass].sort((a, b) => a[0] - b[0])) {
    // One stream per class: adding a class to a dataset does not change the others' draws.
    const order = shuffleInPlace([...indices], seededRandom(seed * 1_000_003 + label * 7919 + 17))
    if (order.length < perClass) shortClasses.push(label)
    for (const index of order.slice(0, perClass)) chosen.add(index)
  }
  return {
    labelled: trainIndices.filter((i) => chosen.has(i)),
    unlabelled: trainIndices.filter((i) => !chosen.has(i)),
    shortClasses
  }
}
