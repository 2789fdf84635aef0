/** Pure helpers of the run tab's live view: series from history plus events, and downsampling. */
import type { EventPayload, MetricPoint } from '../../preload/contract'

/** [x, y] pairs as ECharts takes them. */
export type XY = [number, number]

/**
 * At most `max` points: consecutive points are averaged in equal buckets (x and y alike), so a
 * 50,000-step loss curve stays one smooth line that ECharts redraws in a few milliseconds.
 */
export function downsample(points: readonly XY[], max: number): XY[] {
  if (points.length <= max) return points.slice()
  const out: XY[] = []
  const size = points.length / max
  for (let b = 0; b < max; b++) {
    const from = Math.floor(b * size)
    const to = Math.floor((b + 1) * size)
    let x = 0
    let y = 0
    for (let i = from; i < to; i++) {
      x += points[i][0]
      y += points[i][1]
    }
    out.push([x / (to - from), y / (to - from)])
  }
  return out
}

/** Per-step series against the step (1-based, as people count). */
export const stepPoints = (points: readonly MetricPoint[] = []): XY[] =>
  points.map((p) => [p.step, p.value])

/** Per-epoch series against the epoch number (1-based). */
export const epochPoints = (points: readonly MetricPoint[] = []): XY[] =>
  points.filter((p) => p.epoch !== null).map((p) => [p.epoch! + 1, p.value])

/**
 * A run's metric series: history from `runs/get`, then live events appended. Points at or before
 * the last stored step are ignored, so an event that raced the history load is not counted twice.
 */
export class LiveSeries {
  readonly series: Record<string, MetricPoint[]>

  constructor(history: Record<string, MetricPoint[]>) {
    this.series = Object.fromEntries(Object.entries(history).map(([k, v]) => [k, v.slice()]))
  }

  private push(name: string, point: MetricPoint): void {
    const list = (this.series[name] ??= [])
    const last = list[list.length - 1]
    if (
      last &&
      (last.step > point.step || (last.step === point.step && last.epoch === point.epoch))
    )
      return
    list.push(point)
  }

  addProgress(p: EventPayload<'train/progress'>): void {
    for (const [name, value] of Object.entries(p.metrics))
      this.push(name, { step: p.step, epoch: p.epoch, value })
  }

  /** A generative run's new grid: its sample diversity moves the diversity chart between epochs. */
  addSampleGrid(g: EventPayload<'run/sampleGrid'>): void {
    this.push('samples/diversity', { step: g.step, epoch: Math.floor(g.epoch), value: g.diversity })
  }

  addEpoch(e: EventPayload<'train/epoch'>): void {
    for (const [name, value] of Object.entries(e.metrics))
      this.push(name === 'lr' ? 'epoch/lr' : name, { step: e.step, epoch: e.epoch, value })
  }
}

/** Share of the run done, 0–1, from a progress event. */
export const progressFraction = (p: EventPayload<'train/progress'>): number =>
  p.totalSteps > 0 ? Math.min(1, p.step / p.totalSteps) : 0
