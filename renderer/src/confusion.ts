/** Pure helpers of the confusion-matrix view. */
import { escapeHtml } from './escapeHtml'

export type ConfusionMode = 'counts' | 'normalised'

export interface ConfusionCell {
  /** True class (row). */
  label: number
  /** Predicted class (column). */
  predicted: number
  count: number
  /** count ÷ the row's total: the share of class `label` predicted as `predicted`. */
  share: number
}

/** Every cell, row by row, with its row share (0 for an empty row). */
export function confusionCells(confusion: readonly number[][]): ConfusionCell[] {
  return confusion.flatMap((row, label) => {
    const total = row.reduce((a, b) => a + b, 0)
    return row.map((count, predicted) => ({
      label,
      predicted,
      count,
      share: total > 0 ? count / total : 0
    }))
  })
}

/** ECharts heatmap data: [predicted (x), true (y), shown value]; empty cells left out, so they stay blank. */
export function heatmapData(cells: readonly ConfusionCell[], mode: ConfusionMode): number[][] {
  return cells
    .filter((c) => c.count > 0)
    .map((c) => [c.predicted, c.label, mode === 'counts' ? c.count : c.share])
}

/** The colour scale's top: the largest off-diagonal value keeps errors visible next to a bright diagonal. */
export function scaleMax(cells: readonly ConfusionCell[], mode: ConfusionMode): number {
  const value = (c: ConfusionCell): number => (mode === 'counts' ? c.count : c.share)
  const off = cells.filter((c) => c.label !== c.predicted).map(value)
  const all = cells.map(value)
  return Math.max(1e-9, ...(off.some((v) => v > 0) ? off : all))
}

/** The cells worth listing for people: the diagonal and every non-empty error, errors largest first. */
export function notableCells(cells: readonly ConfusionCell[]): ConfusionCell[] {
  const diagonal = cells.filter((c) => c.label === c.predicted)
  const errors = cells
    .filter((c) => c.label !== c.predicted && c.count > 0)
    .sort((a, b) => b.count - a.count)
  return [...diagonal, ...errors]
}

/** The cell's title as the HTML an ECharts tooltip renders: class names arrive escaped. */
export const cellTooltip = (cell: ConfusionCell, labels: readonly string[]): string =>
  escapeHtml(cellTitle(cell, labels))

export function cellTitle(cell: ConfusionCell, labels: readonly string[]): string {
  const name = (i: number): string => labels[i] ?? String(i)
  const pct = `${(cell.share * 100).toFixed(1)}%`
  return cell.label === cell.predicted
    ? `${name(cell.label)} correct: ${cell.count} (${pct} of the class)`
    : `${name(cell.label)} → ${name(cell.predicted)}: ${cell.count} (${pct} of ${name(cell.label)})`
}
