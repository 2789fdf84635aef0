import { describe, expect, it } from 'vitest'
import type { MetricPoint } from '../../preload/contract'
import {
  bestIndices,
  commonSeries,
  configDiff,
  flattenConfig,
  formatConfigValue,
  runColour,
  runPalette,
  seriesAxis,
  seriesPoints,
  sortedIds
} from '../../renderer/src/runCompare'
import { tabKey } from '../../renderer/src/stores/shell'

const perStep = (n: number): MetricPoint[] =>
  Array.from({ length: n }, (_, i) => ({ step: i, epoch: Math.floor(i / 10), value: 1 / (i + 1) }))
const perEpoch = (n: number): MetricPoint[] =>
  Array.from({ length: n }, (_, i) => ({ step: (i + 1) * 10, epoch: i, value: i / n }))

describe('config diff', () => {
  it('flattens nested settings into dotted keys', () => {
    expect([
      ...flattenConfig({ a: 1, augmentation: { flip: true, cutout: 0 }, empty: {} })
    ]).toEqual([
      ['a', 1],
      ['augmentation.flip', true],
      ['augmentation.cutout', 0],
      ['empty', {}]
    ])
  })

  it('marks the keys whose values differ, including keys only some runs have', () => {
    const rows = configDiff([
      { learningRate: 0.001, epochs: 5, augmentation: { flip: true } },
      { learningRate: 0.01, epochs: 5, augmentation: { flip: true }, seed: 3 }
    ])
    expect(rows.map((r) => [r.key, r.differs])).toEqual([
      ['learningRate', true],
      ['epochs', false],
      ['augmentation.flip', false],
      ['seed', true]
    ])
    expect(rows[3].values).toEqual([undefined, 3])
    expect(formatConfigValue(undefined)).toBe('—')
    expect(formatConfigValue([1, 2])).toBe('[1,2]')
  })
})

describe('best value per row', () => {
  it('highlights the max or min, all of a tie, and nothing when it says nothing', () => {
    expect([...bestIndices([0.9, 0.93, undefined], 'max')]).toEqual([1])
    expect([...bestIndices([0.3, 0.2, 0.2], 'min')]).toEqual([1, 2])
    expect([...bestIndices([0.9, undefined], 'max')]).toEqual([])
    expect([...bestIndices([0.5, 0.5], 'max')]).toEqual([])
  })
})

describe('series to chart', () => {
  it('tells per-epoch series from per-step ones by their points', () => {
    expect(seriesAxis(perStep(30))).toBe('step')
    expect(seriesAxis(perEpoch(5))).toBe('epoch')
    expect(seriesAxis([{ step: 10, epoch: null, value: 0.9 }])).toBe('step')
    expect(seriesPoints(perEpoch(2), 'epoch')).toEqual([
      [1, 0],
      [2, 0.5]
    ])
  })

  it('offers series every run has with more than one point, minus those already shown', () => {
    const a = {
      loss: perStep(20),
      'val/loss': perEpoch(3),
      fid: perEpoch(3),
      'test/accuracy': perEpoch(1)
    }
    const b = {
      loss: perStep(20),
      'val/loss': perEpoch(2),
      fid: perEpoch(2),
      'test/accuracy': perEpoch(1)
    }
    const c = { loss: perStep(20), 'val/loss': perEpoch(2) }
    expect(commonSeries([a, b], ['loss', 'val/loss'])).toEqual(['fid'])
    expect(commonSeries([a, b, c], ['loss'])).toEqual(['val/loss'])
    expect(commonSeries([])).toEqual([])
  })
})

describe('compare tabs', () => {
  it('gives each run a colour, cycling past the palette', () => {
    expect(runColour(0)).toBe(runPalette[0])
    expect(runColour(runPalette.length)).toBe(runPalette[0])
  })

  it('keys a compare tab by its sorted, distinct run ids', () => {
    expect(sortedIds([12, 3, 7, 3])).toEqual([3, 7, 12])
    expect(tabKey({ kind: 'compare', runIds: [12, 3, 7] })).toBe('compare:3,7,12')
    expect(tabKey({ kind: 'run', refId: 4, title: 'x' })).toBe('run:4')
  })
})
