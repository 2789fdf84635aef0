/**
 * The label-budget chart's ECharts option: test accuracy (%) against labelled images per class on
 * a log axis, one line per recipe with ±1 std error bars, "all" drawn at the full budget.
 */
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemReturn } from 'echarts'
import type { LabelBudgetResult } from '../../preload/contract'
import { escapeHtml } from './escapeHtml'
import { budgetLabel, budgetSeries, budgetTicks, type BudgetPoint } from './labelBudget'

export interface ChartTheme {
  text: string
  muted: string
  border: string
  /** One colour per recipe, in the plan's order. */
  palette: string[]
}

/** Distinct marker shapes too, so the lines stay apart in greyscale and for colour-blind readers. */
const symbols = ['circle', 'rect', 'triangle', 'diamond', 'pin']

/**
 * Recipes at one budget would hide each other's error bars: each is nudged sideways by a small
 * fixed share of a decade (the tooltip and table still give the exact budget).
 */
export const dodgedX = (x: number, index: number, count: number): number =>
  x * 10 ** ((index - (count - 1) / 2) * 0.015)

/** The tick whose label a log axis value belongs to (the axis hands back 99.99999… for 100). */
export function tickLabel(ticks: { x: number; label: string }[], value: number): string {
  const near = ticks.find((t) => Math.abs(Math.log10(t.x) - Math.log10(value)) < 1e-6)
  return near?.label ?? ''
}

export function pointTooltip(p: BudgetPoint): string {
  const runs = `${p.done} of ${p.total} run${p.total === 1 ? '' : 's'}`
  const spread = p.done > 1 ? ` ± ${p.std.toFixed(1)}` : ''
  const budget = p.budget === 0 ? `all labels (${p.x} per class)` : `${p.x} labels per class`
  return `<b>${escapeHtml(p.recipe)}</b> · ${budget}<br/>test accuracy ${p.mean.toFixed(1)}%${spread} (${runs})`
}

/** Vertical bar with caps from [x, low] to [x, high], in the series' colour. */
function errorBar(color: string) {
  return (_: unknown, api: CustomSeriesRenderItemAPI): CustomSeriesRenderItemReturn => {
    const top = api.coord([api.value(0), api.value(2)])
    const bottom = api.coord([api.value(0), api.value(1)])
    const style = { stroke: color, lineWidth: 1.4 }
    const cap = (y: number) => ({
      type: 'line' as const,
      shape: { x1: top[0] - 5, y1: y, x2: top[0] + 5, y2: y },
      style
    })
    return {
      type: 'group',
      children: [
        { type: 'line', shape: { x1: top[0], y1: top[1], x2: bottom[0], y2: bottom[1] }, style },
        cap(top[1]),
        cap(bottom[1])
      ]
    }
  }
}

/** Points drawn, over all recipes (what the e2e test and the empty state look at). */
export const pointCount = (result: LabelBudgetResult): number =>
  budgetSeries(result).reduce((n, s) => n + s.points.length, 0)

export function labelBudgetChartOption(result: LabelBudgetResult, theme: ChartTheme) {
  const lines = budgetSeries(result)
  const ticks = budgetTicks(result)
  const xs = ticks.map((t) => t.x)
  const low = Math.min(...xs)
  const high = Math.max(...xs)
  const color = (i: number): string => theme.palette[i % theme.palette.length]
  const point = (p: BudgetPoint, i: number) => ({
    value: [dodgedX(p.x, i, lines.length), p.mean],
    point: p
  })
  return {
    animation: false,
    textStyle: { color: theme.text },
    legend: { top: 0, textStyle: { color: theme.muted } },
    tooltip: {
      trigger: 'item',
      formatter: (params: { data?: { point?: BudgetPoint } }) =>
        params.data?.point ? pointTooltip(params.data.point) : ''
    },
    grid: { left: 64, right: 24, top: 36, bottom: 52 },
    xAxis: {
      type: 'log',
      // A little room either side, so the end points and their bars are not cut by the frame.
      min: low / 1.5,
      max: high * 1.5,
      name: 'labelled images per class (log scale)',
      nameLocation: 'middle',
      nameGap: 30,
      nameTextStyle: { color: theme.muted },
      axisLabel: {
        customValues: xs,
        formatter: (value: number) => tickLabel(ticks, value),
        color: theme.muted,
        hideOverlap: true
      },
      axisTick: { customValues: xs },
      axisLine: { lineStyle: { color: theme.border } },
      splitLine: { show: false }
    },
    yAxis: {
      type: 'value',
      scale: true,
      name: 'test accuracy (%)',
      nameLocation: 'middle',
      nameGap: 44,
      nameTextStyle: { color: theme.muted },
      axisLabel: { color: theme.muted, formatter: '{value}%' },
      splitLine: { lineStyle: { color: theme.border } }
    },
    series: [
      ...lines.map((line, i) => ({
        name: line.recipe,
        type: 'line',
        data: line.points.map((p) => point(p, i)),
        color: color(i),
        symbol: symbols[i % symbols.length],
        symbolSize: 8,
        showSymbol: true,
        lineStyle: { width: 2 },
        z: 3
      })),
      // Same name as the line: the legend shows and hides both together.
      ...lines.map((line, i) => ({
        name: line.recipe,
        type: 'custom',
        renderItem: errorBar(color(i)),
        encode: { x: 0, y: [1, 2] },
        data: line.points
          .filter((p) => p.done > 1 && p.std > 0)
          .map((p) => ({
            value: [dodgedX(p.x, i, lines.length), p.mean - p.std, p.mean + p.std],
            point: p
          })),
        color: color(i),
        z: 2
      }))
    ]
  }
}

/** "5/20/all", as the experiment's default name writes budgets. */
export const budgetsText = (budgets: number[]): string => budgets.map(budgetLabel).join('/')
