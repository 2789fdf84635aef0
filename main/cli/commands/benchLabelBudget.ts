/** `dgmw bench label-budget`: prints accuracy against labels, mean ± std, beside PyTorch's baseline. */
import { availableParallelism } from 'node:os'
import { labelBudgetRecipes, type LabelBudgetRecipe } from '../../../preload/contract'
import { labelBudgetBenchDefaults, runLabelBudgetBench } from '../../bench/labelBudgetBench'
import { UserError } from '../../services/userError'
import type { CommandContext } from '../context'
import { formatTable, note, printJson } from '../output'
import { findTorchPython } from './bench'
import { numberOption } from './train'

export const labelBudgetBenchHelp = `  \`dgmw bench label-budget\`: test accuracy of the supervised baseline, SGAN and the generative
  Bayes classifier on Fashion-MNIST at ${labelBudgetBenchDefaults.budgets.join(' and ')} labels per class, mean ± std over
  ${labelBudgetBenchDefaults.seeds} seeds (--budgets, --seeds, --steps, --recipes), beside PyTorch's reference CNN on the
  very same labelled images.`

const cellText = (mean: number | null, std: number | null): string =>
  mean === null ? '—' : `${(mean * 100).toFixed(2)} ± ${((std ?? 0) * 100).toFixed(2)}%`

export async function labelBudgetBenchCommand(ctx: CommandContext): Promise<number> {
  const recipes = ctx.values.recipes
    ? String(ctx.values.recipes).split(',')
    : labelBudgetBenchDefaults.recipes
  for (const r of recipes)
    if (!(labelBudgetRecipes as readonly string[]).includes(r) || r === 'augment')
      throw new UserError(`--recipes takes classifier, sgan, gen-bayes, acgan; not "${r}".`)
  const report = await runLabelBudgetBench({
    backend: ctx.backend,
    python: findTorchPython().python,
    threads: availableParallelism(),
    budgets: ctx.values.budgets ? String(ctx.values.budgets).split(',').map(Number) : undefined,
    seeds: numberOption(ctx, 'seeds'),
    steps: numberOption(ctx, 'steps'),
    recipes: recipes as LabelBudgetRecipe[],
    onLine: note
  })
  if (ctx.json) {
    printJson(report)
    return 0
  }
  const { result } = report
  const budgets = result.plan.budgets
  const rows = result.plan.recipes.map((recipe) => [
    `${recipe} (${report.backend})`,
    ...budgets.map((b) => {
      const cell = result.cells.find((c) => c.recipe === recipe && c.budget === b)!
      return cellText(cell.mean, cell.std)
    }),
    `${Math.round(report.secondsPerRecipe[recipe] ?? 0)} s`
  ])
  rows.push([
    `reference CNN (PyTorch ${report.reference[0]?.torch ?? '—'})`,
    ...budgets.map((b) => {
      const cell = report.reference.find((c) => c.budget === b)
      return cell?.error ? 'failed' : cellText(cell?.mean ?? null, cell?.std ?? null)
    }),
    ''
  ])
  console.log(
    `Test accuracy on Fashion-MNIST (10,000 test images), ${result.plan.seeds} seeds, about ${result.plan.steps} steps per run:`
  )
  console.log(formatTable(['', ...budgets.map((b) => `${b || 'all'} labels/class`), 'time'], rows))
  for (const cell of report.reference) if (cell.error) note(cell.error)
  return 0
}
