/** `dgmw bench label-budget`: prints accuracy against labels, mean ± std, beside PyTorch's baseline. */
import { availableParallelism } from 'node:os'
import { labelBudgetRecipes, type LabelBudgetRecipe } from '../../../../preload/contract'
import { labelBudgetBenchDefaults, runLabelBudgetBench } from '../../../bench/labelBudgetBench'
import { findTorchPython } from '../../../bench/pytorchReference'
import { UserError } from '../../../platform/userError'
import type { CommandContext } from '../../context'
import { formatTable, note, printJson } from '../../output'
import { numberOption } from '../train'

export const labelBudgetBenchHelp = `  \`dgmw bench label-budget\`: test accuracy of the supervised baseline, vae-graph, self-train,
  SGAN and the generative Bayes classifier on Fashion-MNIST at ${labelBudgetBenchDefaults.budgets.join(', ')} labels per class,
  mean ± std over ${labelBudgetBenchDefaults.seeds} seeds (--budgets, --seeds, --steps, --recipes), each recipe's paired lead
  over the baseline seed by seed, the verdict on the targets (≥ 5 points at 10 labels per class,
  ≥ 2 at 100, ahead on every seed, ≤ 15 min per run), beside PyTorch's reference CNN on the
  very same labelled images.`

const cellText = (mean: number | null, std: number | null): string =>
  mean === null ? '—' : `${(mean * 100).toFixed(2)} ± ${((std ?? 0) * 100).toFixed(2)}%`

export async function labelBudgetBenchCommand(ctx: CommandContext): Promise<number> {
  const recipes = ctx.values.recipes
    ? String(ctx.values.recipes).split(',')
    : labelBudgetBenchDefaults.recipes
  for (const r of recipes)
    if (!(labelBudgetRecipes as readonly string[]).includes(r) || r === 'augment')
      throw new UserError(
        `--recipes takes ${labelBudgetRecipes.filter((x) => x !== 'augment').join(', ')}; not "${r}".`
      )
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
    perRunTime(report.secondsPerRun[recipe] ?? [])
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
  console.log(
    formatTable(['', ...budgets.map((b) => `${b || 'all'} labels/class`), 'time per run'], rows)
  )
  for (const cell of report.reference) if (cell.error) note(cell.error)
  console.log('\nPaired lead over the classifier (same labelled images), points, per seed:')
  console.log(
    formatTable(
      ['', ...budgets.map((b) => `${b || 'all'} labels/class`)],
      result.plan.recipes
        .filter((r) => r !== 'classifier')
        .map((recipe) => [
          recipe,
          ...budgets.map((b) => {
            const paired = result.cells.find(
              (c) => c.recipe === recipe && c.budget === b
            )?.vsBaseline
            if (!paired || paired.mean === null) return '—'
            const seeds = paired.perSeed.map((p) => signed(p.difference * 100)).join(', ')
            return `${signed(paired.mean * 100)} (${seeds})`
          })
        ])
    )
  )
  for (const v of report.verdict)
    console.log(
      `${v.budget} labels/class: target ≥ ${v.target} points on every seed in ≤ 15 min per run: ` +
        (v.best === null
          ? 'no generative recipe finished.'
          : `${v.met ? 'MET' : 'MISSED'} — best ${v.best}, ${signed(v.meanLead!)} points, ` +
            `${v.everySeed ? 'ahead on every seed' : 'not ahead on every seed'}, slowest run ` +
            (v.best === 'self-train' ? '(with its vae-graph run) ' : '') +
            `${Math.round(v.slowestRunSeconds / 60)} min.`)
    )
  return 0
}

const signed = (points: number): string =>
  `${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(2)}`

/** "6.5 min (5.9–7.1)": mean wall time of a recipe's runs and their range. */
function perRunTime(seconds: number[]): string {
  if (seconds.length === 0) return ''
  const minutes = seconds.map((s) => s / 60)
  const mean = minutes.reduce((a, b) => a + b, 0) / minutes.length
  return `${mean.toFixed(1)} min (${Math.min(...minutes).toFixed(1)}–${Math.max(...minutes).toFixed(1)})`
}
