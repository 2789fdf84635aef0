/**
 * A few example images that show several classes, not just the first: datasets imported class by
 * class store each class's images together, so "the first n" would all be one class.
 */

/**
 * Up to `count` of `indices` (kept in their order within a class), taken one per class in turn:
 * class order is that of first appearance; unlabelled images (label < 0 or null) count as one more
 * class.
 */
export function spreadOverClasses(
  indices: readonly number[],
  labelOf: (index: number) => number | null,
  count: number
): number[] {
  const byClass = new Map<number, number[]>()
  for (const i of indices) {
    const label = labelOf(i)
    const key = label === null || label < 0 ? -1 : label
    const list = byClass.get(key) ?? []
    byClass.set(key, list)
    // No class needs more than `count` images.
    if (list.length < count) list.push(i)
  }
  const queues = [...byClass.values()]
  const picked: number[] = []
  for (let round = 0; picked.length < count && queues.some((q) => q.length > round); round++)
    for (const q of queues) if (round < q.length && picked.length < count) picked.push(q[round])
  return picked
}
