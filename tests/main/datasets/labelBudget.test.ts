/**
 * Label budgets are stratified (K per class), reproducible for a seed, different for another seed,
 * nested in nothing but the training split, and honest about classes that have fewer than K.
 */
import { describe, expect, it } from 'vitest'
import { drawLabelBudget } from '../../../main/datasets/labelBudget'

// 3 classes with 40, 40 and 5 training images, interleaved; a few unlabelled (−1) ones.
const labels = Array.from({ length: 100 }, (_, i) =>
  i < 85 ? (i % 17 < 8 ? 0 : i % 17 < 16 ? 1 : 2) : -1
)
const train = labels.map((_, i) => i)
const count = (indices: number[], label: number): number =>
  indices.filter((i) => labels[i] === label).length

describe('label budgets', () => {
  it('takes K images of each class, and all of a class that has fewer', () => {
    const budget = drawLabelBudget(train, (i) => labels[i], 10, 1)
    expect([0, 1, 2].map((c) => count(budget.labelled, c))).toEqual([10, 10, 5])
    expect(budget.shortClasses).toEqual([2])
    expect(budget.labelled.every((i) => labels[i] >= 0)).toBe(true)
    // Every training image is either labelled or unlabelled, once, in dataset order.
    expect([...budget.labelled, ...budget.unlabelled].sort((a, b) => a - b)).toEqual(train)
    expect(budget.labelled).toEqual([...budget.labelled].sort((a, b) => a - b))
  })

  it('draws the same images for the same seed and others for another seed', () => {
    const a = drawLabelBudget(train, (i) => labels[i], 10, 1)
    const b = drawLabelBudget(train, (i) => labels[i], 10, 1)
    const c = drawLabelBudget(train, (i) => labels[i], 10, 2)
    expect(a).toEqual(b)
    expect(c.labelled).not.toEqual(a.labelled)
  })

  it('draws only from the images it is given (the training split)', () => {
    const firstHalf = train.slice(0, 50)
    const budget = drawLabelBudget(firstHalf, (i) => labels[i], 5, 3)
    expect(budget.labelled.every((i) => i < 50)).toBe(true)
    // Class 2 has only images 16 and 33 among the first 50.
    expect([0, 1, 2].map((c) => count(budget.labelled, c))).toEqual([5, 5, 2])
  })
})
