import { describe, expect, it } from 'vitest'
import type { LabelBudgetResult } from '../../preload/contract'
import {
  dodgedX,
  labelBudgetChartOption,
  pointCount,
  pointTooltip,
  tickLabel
} from '../../renderer/src/labelBudgetChart'

const theme = { text: '#000', muted: '#666', border: '#ccc', palette: ['#a00', '#0a0'] }

function result(): LabelBudgetResult {
  const ref = (runId: number, testAccuracy: number | null, seed = 0) => ({
    runId,
    seed,
    status: testAccuracy === null ? ('queued' as const) : ('completed' as const),
    testAccuracy
  })
  return {
    experiment: {
      id: 1,
      kind: 'label-budget',
      name: 'lb',
      datasetId: 1,
      datasetName: 'd',
      runCount: 6,
      createdAt: ''
    },
    plan: {
      datasetId: 1,
      recipes: ['classifier', 'gen-bayes'],
      budgets: [5, 0],
      seeds: 2,
      steps: 10,
      batchSize: 8
    },
    cells: [
      { recipe: 'classifier', budget: 5, runs: [ref(1, 0.5), ref(2, 0.7, 1)], mean: 0.6, std: 0.1 },
      { recipe: 'classifier', budget: 0, runs: [ref(3, 0.8)], mean: 0.8, std: 0 },
      { recipe: 'gen-bayes', budget: 5, runs: [ref(4, 0.55)], mean: 0.55, std: 0 },
      { recipe: 'gen-bayes', budget: 0, runs: [ref(5, null)], mean: null, std: null }
    ],
    fullBudget: 80,
    done: 4,
    total: 5
  }
}

describe('the label-budget chart', () => {
  it('draws a line per recipe and error bars only where seeds disagree', () => {
    const option = labelBudgetChartOption(result(), theme)
    const lines = option.series.filter((s) => s.type === 'line')
    const bars = option.series.filter((s) => s.type === 'custom')
    expect(lines.map((s) => s.name)).toEqual(['classifier', 'gen-bayes'])
    expect(lines[0].data).toHaveLength(2)
    expect(lines[1].data).toHaveLength(1)
    // Only classifier at 5 has two finished runs: 60 ± 10 %.
    expect(bars[0].data).toHaveLength(1)
    const [, low, high] = bars[0].data[0].value
    expect(low).toBeCloseTo(50)
    expect(high).toBeCloseTo(70)
    expect(bars[1].data).toHaveLength(0)
    expect(pointCount(result())).toBe(3)
  })

  it('puts "all" at the full budget on a log axis and labels it "all"', () => {
    const option = labelBudgetChartOption(result(), theme)
    expect(option.xAxis.type).toBe('log')
    expect(option.xAxis.axisLabel.customValues).toEqual([5, 80])
    expect(option.xAxis.axisLabel.formatter(80.00000000001)).toBe('all')
    expect(option.xAxis.axisLabel.formatter(5)).toBe('5')
    expect(option.xAxis.min).toBeLessThan(5)
    expect(option.xAxis.max).toBeGreaterThan(80)
    const allPoint = option.series[0].data[1] as { value: number[] }
    expect(allPoint.value[0]).toBeCloseTo(80, -1)
    expect(allPoint.value[1]).toBeCloseTo(80)
  })

  it('nudges recipes apart by the same small factor, centred on the budget', () => {
    expect(dodgedX(100, 0, 1)).toBe(100)
    expect(dodgedX(100, 0, 2) * dodgedX(100, 1, 2)).toBeCloseTo(100 * 100)
    expect(Math.abs(dodgedX(100, 0, 2) - 100)).toBeLessThan(2)
  })

  it('finds tick labels despite the log axis rounding, and tells each point in words', () => {
    expect(tickLabel([{ x: 100, label: '100' }], 99.99999999999997)).toBe('100')
    expect(tickLabel([{ x: 100, label: '100' }], 50)).toBe('')
    const option = labelBudgetChartOption(result(), theme)
    const text = option.tooltip.formatter({ data: option.series[0].data[0] })
    expect(text).toContain('classifier')
    expect(text).toContain('5 labels per class')
    expect(text).toContain('60.0% ± 10.0 (2 of 2 runs)')
    const all = pointTooltip({
      recipe: 'sgan',
      budget: 0,
      x: 80,
      mean: 81.25,
      std: 0,
      done: 1,
      total: 1
    })
    expect(all).toContain('all labels (80 per class)')
    expect(all).not.toContain('±')
  })
})
