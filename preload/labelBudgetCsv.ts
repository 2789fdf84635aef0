/**
 * A label-budget experiment as CSV, shared by the CLI (`--csv`) and the app's Export CSV button:
 * one row per run, then one summary row per recipe and budget (mean ± sample std over seeds).
 * Accuracies are fractions with full precision, so a spreadsheet can redo any number. Paired
 * differences: a run's accuracy minus the baseline classifier's at the same budget and seed (the
 * same labelled images); the summary row has their mean and whether every seed was ahead.
 */
import type { LabelBudgetResult } from './contract'

export const csvField = (value: string | number | boolean | null | undefined): string => {
  if (value === null || value === undefined) return ''
  const text = String(value)
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function labelBudgetCsv(result: LabelBudgetResult): string {
  const x = (budget: number): number => (budget === 0 ? result.fullBudget : budget)
  const lines = [
    'row,recipe,budget,labels_per_class,seed,run_id,status,test_accuracy,mean,std,runs_done,' +
      'paired_difference,mean_paired_difference,ahead_on_every_seed'
  ]
  for (const cell of result.cells)
    for (const run of cell.runs)
      lines.push(
        [
          'run',
          cell.recipe,
          cell.budget === 0 ? 'all' : cell.budget,
          x(cell.budget),
          run.seed,
          run.runId,
          run.status,
          run.testAccuracy,
          null,
          null,
          null,
          cell.vsBaseline?.perSeed.find((p) => p.seed === run.seed)?.difference,
          null,
          null
        ]
          .map(csvField)
          .join(',')
      )
  for (const cell of result.cells)
    lines.push(
      [
        'summary',
        cell.recipe,
        cell.budget === 0 ? 'all' : cell.budget,
        x(cell.budget),
        null,
        null,
        null,
        null,
        cell.mean,
        cell.std,
        cell.runs.filter((r) => r.status === 'completed').length,
        null,
        cell.vsBaseline?.mean,
        cell.vsBaseline?.everySeed
      ]
        .map(csvField)
        .join(',')
    )
  return lines.join('\n') + '\n'
}
