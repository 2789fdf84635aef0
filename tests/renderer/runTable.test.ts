import { describe, expect, it } from 'vitest'
import { formatShortTime } from '../../renderer/src/format'
import type { RunSummary } from '../../preload/contract'
import { formatFd, nextSort, runFd, sortRuns } from '../../renderer/src/runFilters'
import {
  gridMinWidth,
  gridMinWidthOf,
  hiddenColumnsKey,
  loadHiddenColumns,
  runColumns,
  saveHiddenColumns,
  shownColumns,
  withClusterStatus
} from '../../renderer/src/runTable'

const summary = (
  id: number,
  headline: RunSummary['headline'],
  status: RunSummary['status'] = 'completed'
): RunSummary => ({
  id,
  name: null,
  experimentId: null,
  datasetId: 1,
  datasetName: 'fashion',
  recipe: 'dcgan',
  seed: 1,
  backend: 'wasm',
  status,
  createdAt: '2026-01-01T00:00:00Z',
  startedAt: null,
  endedAt: null,
  error: null,
  tags: [],
  notes: null,
  headline
})

/** A Storage stand-in over a Map: localStorage's getItem/setItem contract, nothing more. */
const memoryStorage = (): Pick<Storage, 'getItem' | 'setItem'> => {
  const items = new Map<string, string>()
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) }
}

describe('runs table columns', () => {
  it('fits every column beside the sidebar of a 1440 px window', () => {
    // 1440 − the 208 px sidebar − the view padding (2 × 24 px) − a scrollbar and borders.
    expect(gridMinWidth).toBeLessThanOrEqual(1440 - 208 - 48 - 20)
    expect(runColumns.map((c) => c.key)).toContain('fd')
  })

  it('remembers hidden columns, never hides # or name, and ignores what it cannot read', () => {
    const storage = memoryStorage()
    saveHiddenColumns(storage, new Set(['notes', 'backend']))
    expect([...loadHiddenColumns(storage)].sort()).toEqual(['backend', 'notes'])
    storage.setItem(hiddenColumnsKey, '["name","nonsense","tags"]')
    expect([...loadHiddenColumns(storage)]).toEqual(['tags'])
    storage.setItem(hiddenColumnsKey, '{not json')
    expect(loadHiddenColumns(storage).size).toBe(0)
    const shown = shownColumns(new Set(['notes', 'id']))
    expect(shown.map((c) => c.key)).not.toContain('notes')
    expect(shown.map((c) => c.key)).toContain('id')
    expect(gridMinWidthOf(shown)).toBeLessThan(gridMinWidth)
  })

  it('gives the status column spare width for cluster runs, never a wider minimum', () => {
    expect(withClusterStatus(runColumns, false)).toBe(runColumns)
    const widened = withClusterStatus(runColumns, true)
    const status = widened.find((c) => c.key === 'status')!
    expect(status.width).toMatch(/fr\)$/)
    expect(gridMinWidthOf(widened)).toBe(gridMinWidth)
  })

  it('shows FD with its evaluator, none while training, and sorts lowest first', () => {
    const done = summary(1, { fd: 17.83, fdUntrained: 130, evaluatorRunId: 3 })
    expect(formatFd(done)).toBe('17.8 · #3')
    expect(formatFd(summary(2, { fd: 40 }))).toBe('40.0')
    expect(runFd(summary(3, { fd: 130, fdUntrained: 130 }, 'running'))).toBeUndefined()
    expect(formatFd(summary(4, {}))).toBe('—')
    const sort = nextSort({ key: 'id', direction: 'desc' }, 'fd')
    expect(sort.direction).toBe('asc')
    const sorted = sortRuns([summary(5, { fd: 90 }), done, summary(6, {})], sort)
    expect(sorted.map((r) => r.id)).toEqual([1, 5, 6])
  })
})

describe('short start time', () => {
  it('drops the year only when it is this year', () => {
    const now = new Date('2026-12-03T18:00:00')
    expect(formatShortTime('2026-12-03T17:40:00', now)).toBe('12-03 17:40')
    expect(formatShortTime('2025-12-03T17:40:00', now)).toBe('2025-12-03 17:40')
    expect(formatShortTime(null, now)).toBe('—')
  })
})
