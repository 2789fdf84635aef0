/** Pure helpers of the compare tab: config diff, best value per row, which series to chart. */
import type { MetricPoint } from '../../preload/contract'

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Nested objects become dotted keys (`augmentation.flip`), so a diff shows which part of a
 * nested setting changed rather than one opaque "augmentation differs" row.
 */
export function flattenConfig(config: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const flat = new Map<string, unknown>()
  for (const [key, value] of Object.entries(config)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (isPlainObject(value) && Object.keys(value).length > 0)
      for (const [k, v] of flattenConfig(value, path)) flat.set(k, v)
    else flat.set(path, value)
  }
  return flat
}

export interface ConfigDiffRow {
  key: string
  /** One value per run, in the runs' order; undefined where a run's config lacks the key. */
  values: unknown[]
  differs: boolean
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/** One row per config key of any run, in first-seen order; `differs` when any two runs disagree. */
export function configDiff(configs: readonly Record<string, unknown>[]): ConfigDiffRow[] {
  const flats = configs.map((c) => flattenConfig(c))
  const keys = new Set<string>()
  for (const flat of flats) for (const key of flat.keys()) keys.add(key)
  return [...keys].map((key) => {
    const values = flats.map((flat) => flat.get(key))
    return { key, values, differs: values.some((v) => !same(v, values[0])) }
  })
}

/** How a config value reads in a table cell. */
export function formatConfigValue(value: unknown): string {
  if (value === undefined) return '—'
  if (typeof value === 'number') return String(value)
  if (typeof value === 'string') return value
  return JSON.stringify(value)
}

/**
 * Indices of the best value of a row (all of them on a tie). Nothing is "best" when fewer than two
 * runs have a value or when they are all equal: highlighting then would say nothing.
 */
export function bestIndices(
  values: readonly (number | undefined)[],
  better: 'max' | 'min'
): Set<number> {
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v))
  if (present.length < 2) return new Set()
  const best = better === 'max' ? Math.max(...present) : Math.min(...present)
  if (present.every((v) => v === best)) return new Set()
  return new Set(values.flatMap((v, i) => (v === best ? [i] : [])))
}

/**
 * Whether a series has one point per epoch (epoch-end metrics: x = epoch) or many (per-step
 * metrics such as `loss`: x = step). Decided from the points, so recipes that add new series
 * need no list here.
 */
export function seriesAxis(points: readonly MetricPoint[]): 'epoch' | 'step' {
  if (points.length === 0 || points.some((p) => p.epoch === null)) return 'step'
  return new Set(points.map((p) => p.epoch)).size === points.length ? 'epoch' : 'step'
}

/** Chart points of a series: [epoch number counted from 1, value] or [step, value]. */
export function seriesPoints(
  points: readonly MetricPoint[],
  axis: 'epoch' | 'step'
): [number, number][] {
  return points.map((p) => [axis === 'epoch' ? (p.epoch ?? 0) + 1 : p.step, p.value])
}

/**
 * Series every run has with at least two points (a single value, like `test/accuracy`, belongs in
 * the headline table, not a curve), minus those already charted.
 */
export function commonSeries(
  metrics: readonly Record<string, MetricPoint[]>[],
  exclude: readonly string[] = []
): string[] {
  if (metrics.length === 0) return []
  const names = Object.keys(metrics[0]).filter(
    (name) => !exclude.includes(name) && metrics.every((m) => (m[name]?.length ?? 0) >= 2)
  )
  return names.sort()
}

/**
 * One colour per run, readable on the light and the dark theme alike (mid-lightness hues); more
 * than ten runs reuse colours, which the legend disambiguates.
 */
export const runPalette = [
  '#4c7bf4',
  '#f08c2e',
  '#2fa35a',
  '#d9485f',
  '#9a6cf0',
  '#14a3b8',
  '#c58f00',
  '#e066b3',
  '#7d8a99',
  '#8bbd2c'
] as const

export const runColour = (index: number): string => runPalette[index % runPalette.length]

/** The compare tab's key: the same set of runs is one tab, in whatever order it was picked. */
export const sortedIds = (ids: readonly number[]): number[] =>
  [...new Set(ids)].sort((a, b) => a - b)
