import { describe, expect, it } from 'vitest'
import { spreadOverClasses } from '../../../main/datasets/spreadOverClasses'

describe('example images over several classes', () => {
  // Stored class by class, as a folder import stores them: 0 0 0 0 1 1 1 2 2 …
  const labels = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3]
  const indices = labels.map((_, i) => i)
  const labelOf = (i: number): number => labels[i]

  it('takes one image of each class in turn, not the first images', () => {
    expect(spreadOverClasses(indices, labelOf, 4)).toEqual([0, 4, 7, 10])
    expect(spreadOverClasses(indices, labelOf, 4).map(labelOf)).toEqual([0, 1, 2, 3])
  })

  it('goes round again when asked for more than there are classes', () => {
    expect(spreadOverClasses(indices, labelOf, 6)).toEqual([0, 4, 7, 10, 1, 5])
    expect(spreadOverClasses(indices, labelOf, 100)).toHaveLength(indices.length)
  })

  it('keeps unlabelled images as a group of their own', () => {
    const unlabelled = [null, null, 5, -1]
    expect(spreadOverClasses([0, 1, 2, 3], (i) => unlabelled[i], 2)).toEqual([0, 2])
    expect(spreadOverClasses([], () => 0, 3)).toEqual([])
  })
})
