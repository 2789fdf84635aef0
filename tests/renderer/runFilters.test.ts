import { describe, expect, it } from 'vitest'
import type { RunSummary } from '../../preload/contract'
import {
  emptyFilter,
  filterRuns,
  formatEpochs,
  formatPercent,
  headlineFromEpoch,
  isFiltering,
  nextSort,
  sortRuns,
  tagCounts
} from '../../renderer/src/runFilters'

function run(id: number, over: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    name: null,
    experimentId: 1,
    datasetId: 1,
    datasetName: 'fashion-mnist',
    recipe: 'classifier',
    seed: 0,
    backend: 'wasm',
    status: 'completed',
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:01:00.000Z',
    error: null,
    tags: [],
    notes: null,
    headline: {},
    ...over
  }
}

const runs = [
  run(1, { name: 'baseline', headline: { testAccuracy: 0.9 }, tags: ['lr-sweep'] }),
  run(2, { name: 'higher lr', headline: { testAccuracy: 0.93 }, tags: ['lr-sweep', 'keep'] }),
  run(3, { status: 'failed', datasetName: 'cifar-10', notes: 'NaN at step 812' }),
  run(4, { recipe: 'vae', headline: { testAccuracy: 0.85 }, status: 'running', endedAt: null })
]
const ids = (list: RunSummary[]): number[] => list.map((r) => r.id)

describe('run table sorting', () => {
  it('sorts by a number either way, with missing values last both ways', () => {
    expect(ids(sortRuns(runs, { key: 'testAccuracy', direction: 'desc' }))).toEqual([2, 1, 4, 3])
    expect(ids(sortRuns(runs, { key: 'testAccuracy', direction: 'asc' }))).toEqual([4, 1, 2, 3])
  })

  it('sorts text case-insensitively and breaks ties newest first', () => {
    expect(ids(sortRuns(runs, { key: 'dataset', direction: 'asc' }))).toEqual([3, 4, 2, 1])
    expect(ids(sortRuns(runs, { key: 'name', direction: 'asc' }))).toEqual([3, 4, 1, 2])
  })

  it('sorts a running run by its duration so far', () => {
    const now = Date.parse('2026-01-01T01:00:00.000Z')
    expect(ids(sortRuns(runs, { key: 'duration', direction: 'desc' }, now))[0]).toBe(4)
  })

  it('does not reorder its input', () => {
    const copy = [...runs]
    sortRuns(runs, { key: 'id', direction: 'asc' })
    expect(runs).toEqual(copy)
  })

  it('flips the direction on the same header, and starts numbers high and text A→Z', () => {
    expect(nextSort({ key: 'id', direction: 'desc' }, 'id')).toEqual({
      key: 'id',
      direction: 'asc'
    })
    expect(nextSort({ key: 'id', direction: 'desc' }, 'testAccuracy').direction).toBe('desc')
    expect(nextSort({ key: 'id', direction: 'desc' }, 'name').direction).toBe('asc')
  })
})

describe('run table filtering', () => {
  it('matches every word of the text against name, id, dataset, recipe, tags and notes', () => {
    expect(ids(filterRuns(runs, { ...emptyFilter(), text: 'LR' }))).toEqual([1, 2])
    expect(ids(filterRuns(runs, { ...emptyFilter(), text: 'higher sweep' }))).toEqual([2])
    expect(ids(filterRuns(runs, { ...emptyFilter(), text: 'nan' }))).toEqual([3])
    expect(ids(filterRuns(runs, { ...emptyFilter(), text: 'cifar' }))).toEqual([3])
    expect(ids(filterRuns(runs, { ...emptyFilter(), text: '#4' }))).toEqual([4])
  })

  it('filters by status, recipe and all chosen tags', () => {
    expect(ids(filterRuns(runs, { ...emptyFilter(), status: 'failed' }))).toEqual([3])
    expect(ids(filterRuns(runs, { ...emptyFilter(), recipe: 'vae' }))).toEqual([4])
    expect(ids(filterRuns(runs, { ...emptyFilter(), tags: ['lr-sweep', 'keep'] }))).toEqual([2])
    expect(isFiltering(emptyFilter())).toBe(false)
    expect(isFiltering({ ...emptyFilter(), text: '  ' })).toBe(false)
    expect(isFiltering({ ...emptyFilter(), tags: ['keep'] })).toBe(true)
  })

  it('counts tags, most used first', () => {
    expect(tagCounts(runs)).toEqual([
      { tag: 'lr-sweep', count: 2 },
      { tag: 'keep', count: 1 }
    ])
  })

  it('filters and sorts 5,000 runs fast enough to do on every keystroke', () => {
    const many = Array.from({ length: 5000 }, (_, i) =>
      run(i + 1, { name: `alpha-${i}`, headline: { testAccuracy: ((i * 7919) % 1000) / 1000 } })
    )
    const start = performance.now()
    const shown = sortRuns(filterRuns(many, { ...emptyFilter(), text: 'alpha-1' }), {
      key: 'testAccuracy',
      direction: 'desc'
    })
    expect(performance.now() - start).toBeLessThan(100)
    expect(shown.length).toBe(1111)
  })
})

describe('run table cells and live numbers', () => {
  it('formats accuracies and epochs', () => {
    expect(formatPercent(0.91234)).toBe('91.2 %')
    expect(formatPercent(undefined)).toBe('—')
    expect(formatEpochs(run(1, { headline: { epochsDone: 3, epochs: 5 } }))).toBe('3/5')
    expect(formatEpochs(run(1))).toBe('—')
  })

  it('turns an epoch-end event into headline numbers without erasing missing ones', () => {
    expect(
      headlineFromEpoch({
        runId: 1,
        epoch: 2,
        step: 900,
        metrics: { 'val/accuracy': 0.9, 'val/loss': 0.3, 'train/loss': 0.25 }
      })
    ).toEqual({ valAccuracy: 0.9, valLoss: 0.3, trainLoss: 0.25, epochsDone: 3 })
  })
})
