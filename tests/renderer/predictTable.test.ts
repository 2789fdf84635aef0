import { describe, expect, it } from 'vitest'
import type { ImagePrediction } from '../../preload/contract'
import {
  classCounts,
  commonFolder,
  csvFileName,
  emptyPredictFilter,
  filterPredictions,
  isPredictFiltering,
  nextPredictSort,
  predictionCounts,
  predictionRows,
  shortPath,
  sortPredictions
} from '../../renderer/src/predictTable'

const labels = ['Coat', 'Shirt', 'Bag']
function prediction(path: string, top1Index: number, probability: number): ImagePrediction {
  const rest = labels.map((label, index) => ({ label, index })).filter((l) => l.index !== top1Index)
  return {
    path,
    top1: labels[top1Index],
    top1Index,
    probability,
    topK: [
      { label: labels[top1Index], index: top1Index, probability },
      { ...rest[0], probability: (1 - probability) * 0.7 },
      { ...rest[1], probability: (1 - probability) * 0.3 }
    ]
  }
}

const report = {
  predictions: [
    prediction('/up/x/img10.png', 1, 0.6),
    prediction('/up/x/img2.png', 0, 0.9),
    prediction('/up/x/sub/img1.png', 2, 0.99),
    prediction('/up/x/img3.png', 0, 0.4)
  ]
}
const rows = predictionRows(report)

describe('prediction rows', () => {
  it('keep input order as their index (the thumbnail each one shows)', () => {
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3])
    expect(rows[2].path).toBe('/up/x/sub/img1.png')
  })

  it('sort by file naturally (img2 before img10), by class, by probability', () => {
    const byFile = sortPredictions(rows, { key: 'file', direction: 'asc' })
    expect(byFile.map((r) => r.path)).toEqual([
      '/up/x/img2.png',
      '/up/x/img3.png',
      '/up/x/img10.png',
      '/up/x/sub/img1.png'
    ])
    const byClass = sortPredictions(rows, { key: 'class', direction: 'asc' })
    expect(byClass.map((r) => r.top1)).toEqual(['Bag', 'Coat', 'Coat', 'Shirt'])
    // Equal classes keep input order whichever way the sort goes.
    expect(byClass.filter((r) => r.top1 === 'Coat').map((r) => r.index)).toEqual([1, 3])
    const desc = sortPredictions(rows, { key: 'probability', direction: 'desc' })
    expect(desc.map((r) => r.probability)).toEqual([0.99, 0.9, 0.6, 0.4])
    expect(sortPredictions(desc, { key: 'input', direction: 'asc' })).toEqual(rows)
  })

  it('start probability with the most confident and flip on a second click', () => {
    const start = { key: 'input', direction: 'asc' } as const
    expect(nextPredictSort(start, 'probability')).toEqual({
      key: 'probability',
      direction: 'desc'
    })
    expect(nextPredictSort(start, 'file')).toEqual({ key: 'file', direction: 'asc' })
    expect(nextPredictSort({ key: 'file', direction: 'asc' }, 'file').direction).toBe('desc')
  })

  it('filter by predicted class, minimum confidence and the OOD flag', () => {
    expect(isPredictFiltering(emptyPredictFilter())).toBe(false)
    expect(filterPredictions(rows, emptyPredictFilter())).toHaveLength(4)
    const coats = { ...emptyPredictFilter(), classIndex: 0 }
    expect(isPredictFiltering(coats)).toBe(true)
    expect(filterPredictions(rows, coats).map((r) => r.index)).toEqual([1, 3])
    const sure = { ...emptyPredictFilter(), minProbability: 0.6 }
    expect(filterPredictions(rows, sure).map((r) => r.index)).toEqual([0, 1, 2])
    expect(filterPredictions(rows, { ...coats, minProbability: 0.5 })).toHaveLength(1)
    const flagged = rows.map((r, i) => ({ ...r, outOfDistribution: i === 2 }))
    expect(
      filterPredictions(flagged, { ...emptyPredictFilter(), oodOnly: true }).map((r) => r.index)
    ).toEqual([2])
  })

  it('count per class and say what is shown', () => {
    expect(classCounts(rows, labels)).toEqual([2, 1, 1])
    expect(predictionCounts(312, 3, 14)).toBe('312 images · 3 skipped · 14 shown')
    expect(predictionCounts(1, 0, 1)).toBe('1 image · 0 skipped · 1 shown')
    expect(predictionCounts(12_000, 0, 12_000)).toBe('12,000 images · 0 skipped · 12,000 shown')
  })
})

describe('paths', () => {
  it('drop the folder every path shares', () => {
    const folder = commonFolder(rows.map((r) => r.path))
    expect(folder).toBe('/up/x/')
    expect(shortPath('/up/x/sub/img1.png', folder)).toBe('sub/img1.png')
    expect(commonFolder(['C:\\in\\a.png', 'C:\\in\\b\\c.png'])).toBe('C:\\in\\')
  })

  it('keep whole paths when nothing is shared or there is one file', () => {
    expect(commonFolder(['/a/x.png', '/b/y.png'])).toBe('/')
    expect(commonFolder(['a.png', 'b/y.png'])).toBe('')
    expect(commonFolder(['/up/x/a.png'])).toBe('')
    expect(commonFolder([])).toBe('')
    expect(shortPath('/up/x/a.png', '')).toBe('/up/x/a.png')
  })

  it('name the CSV after the source, safely', () => {
    expect(csvFileName('clothes cnn')).toBe('predictions-clothes-cnn.csv')
    expect(csvFileName('../..')).toBe('predictions-model.csv')
  })
})
