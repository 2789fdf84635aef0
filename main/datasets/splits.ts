/**
 * Stratified, seeded splits: within each class the images are shuffled with the seed and cut into
 * train/validation/test by the fractions, so every class keeps its proportions and every run on the
 * dataset sees the same split.
 */
import type { SplitName } from '../../preload/contract'
import { seededRandom, shuffleInPlace } from '../platform/random'

export interface SplitFractions {
  val: number
  test: number
}

/**
 * Assigns a split to each image. `fixed[i]` keeps a split the source already gave (a test/ folder,
 * a t10k file); images marked 'train' may give `fractions.val` of themselves to validation; images
 * with no split are divided by both fractions. Labels group the stratification (null: one group).
 */
export function stratifiedSplit(
  labels: (number | null)[],
  fixed: (SplitName | null)[],
  fractions: SplitFractions,
  seed: number
): SplitName[] {
  const random = seededRandom(seed)
  const result: SplitName[] = fixed.map((s) => s ?? 'train')
  const groups = new Map<string, number[]>()
  labels.forEach((label, i) => {
    if (fixed[i] === 'test' || fixed[i] === 'val') return
    const key = `${label}|${fixed[i] ?? 'free'}`
    let group = groups.get(key)
    if (!group) groups.set(key, (group = []))
    group.push(i)
  })
  for (const [key, members] of groups) {
    shuffleInPlace(members, random)
    const free = key.endsWith('|free')
    const nTest = free ? Math.round(members.length * fractions.test) : 0
    const nVal = Math.round(members.length * fractions.val)
    members.forEach(
      (index, k) => (result[index] = k < nTest ? 'test' : k < nTest + nVal ? 'val' : 'train')
    )
  }
  return result
}
