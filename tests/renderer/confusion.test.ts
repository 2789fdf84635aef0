import { describe, expect, it } from 'vitest'
import {
  cellTitle,
  confusionCells,
  heatmapData,
  notableCells,
  scaleMax
} from '../../renderer/src/confusion'

// Rows: true class; columns: predicted. Class 2 never occurs in the test split.
const confusion = [
  [8, 2, 0],
  [1, 3, 0],
  [0, 0, 0]
]
const labels = ['cat', 'dog', 'fox']

describe('confusion matrix helpers', () => {
  it('gives each cell its row share, 0 for an empty row', () => {
    const cells = confusionCells(confusion)
    expect(cells).toHaveLength(9)
    expect(cells[1]).toEqual({ label: 0, predicted: 1, count: 2, share: 0.2 })
    expect(cells[3]).toEqual({ label: 1, predicted: 0, count: 1, share: 0.25 })
    expect(cells[8].share).toBe(0)
  })

  it('feeds the heatmap [predicted, true, value] for non-empty cells, counts or row shares', () => {
    const cells = confusionCells(confusion)
    expect(heatmapData(cells, 'counts')).toEqual([
      [0, 0, 8],
      [1, 0, 2],
      [0, 1, 1],
      [1, 1, 3]
    ])
    expect(heatmapData(cells, 'normalised')[3]).toEqual([1, 1, 0.75])
  })

  it('scales colours to the largest error so errors stay visible', () => {
    const cells = confusionCells(confusion)
    expect(scaleMax(cells, 'counts')).toBe(2)
    expect(scaleMax(cells, 'normalised')).toBe(0.25)
    expect(
      scaleMax(
        confusionCells([
          [5, 0],
          [0, 4]
        ]),
        'counts'
      )
    ).toBe(5)
  })

  it('lists the diagonal, then errors largest first, and titles cells for people', () => {
    const listed = notableCells(confusionCells(confusion))
    expect(listed.map((c) => [c.label, c.predicted])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [0, 1],
      [1, 0]
    ])
    expect(cellTitle(listed[3], labels)).toBe('cat → dog: 2 (20.0% of cat)')
    expect(cellTitle(listed[0], labels)).toBe('cat correct: 8 (80.0% of the class)')
  })
})
