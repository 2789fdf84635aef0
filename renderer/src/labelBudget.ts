/**
 * Pure helpers of the label-budget experiment: reading the budgets a person types, the chart's
 * points (mean ± std per recipe and budget, "all" drawn at the full budget), the progress line and
 * the CSV export.
 */
import type {
  LabelBudgetCell,
  LabelBudgetRecipe,
  LabelBudgetResult,
  PairedDifference,
  RunSummary
} from '../../preload/contract'
import { conditionalRecipes } from '../../preload/contract'

/** One line each, beside the recipe's checkbox. */
export const labelBudgetRecipeInfo: Record<LabelBudgetRecipe, { title: string; text: string }> = {
  classifier: {
    title: 'Supervised baseline',
    text: 'The reference CNN trained on the labelled images only.'
  },
  sgan: {
    title: 'Semi-supervised GAN',
    text: 'Salimans et al. 2016: a K-class discriminator that also learns from every unlabelled image.'
  },
  'gen-bayes': {
    title: 'Generative Bayes classifier',
    text: 'A class-conditional VAE learns p(x|c); Bayes’ rule picks the most likely class.'
  },
  'vae-graph': {
    title: 'VAE + graph propagation',
    text: 'Calder et al. 2020: a VAE learns from every image; the labels spread over a k-NN graph of its latent space (Poisson learning).'
  },
  'self-train': {
    title: 'Self-trained CNN',
    text: 'The baseline CNN on the labelled images plus the half of each class the vae-graph run labelled most confidently.'
  },
  acgan: {
    title: 'Auxiliary-classifier GAN',
    text: 'The discriminator’s class head, trained on the labelled images, used as a classifier.'
  },
  augment: {
    title: 'Augmented with generated images',
    text: 'The baseline CNN on the labelled images plus as many from a conditional generator run.'
  }
}

export const budgetLabel = (budget: number): string => (budget === 0 ? 'all' : String(budget))

/** Where a budget sits on the labels-per-class axis: "all" (0) at the full budget. */
export const budgetX = (budget: number, fullBudget: number): number =>
  budget === 0 ? fullBudget : budget

export const maxBudgets = 12

/**
 * "10, 20,50 all" → [10, 20, 50, 0]: whole numbers ≥ 1 or "all" (0), separated by commas or
 * spaces; duplicates dropped, ascending with "all" last (the order the backend plans them in).
 */
export function parseBudgets(text: string): { budgets: number[] } | { error: string } {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean)
  if (parts.length === 0) return { error: 'Enter at least one budget, e.g. 10,100,all.' }
  const budgets = new Set<number>()
  for (const part of parts) {
    if (part === 'all') budgets.add(0)
    else if (/^\d+$/.test(part) && Number(part) >= 1 && Number(part) <= 1_000_000)
      budgets.add(Number(part))
    else return { error: `“${part}” is not a budget: use whole numbers ≥ 1 or “all”.` }
  }
  if (budgets.size > maxBudgets) return { error: `At most ${maxBudgets} budgets.` }
  return { budgets: [...budgets].sort((a, b) => (a === 0 ? 1 : b === 0 ? -1 : a - b)) }
}

/**
 * The plan dialog's first budgets: 10 and 100 labels per class where every class has that many
 * labelled training images. A budget above the smallest class would be refused, so "all" (every
 * label) stands in for the ones that do not fit.
 */
export function defaultBudgetsText(classCounts: readonly { train: number }[] = []): string {
  const smallest = Math.min(...classCounts.map((c) => c.train))
  const fitting = [10, 100].filter((b) => b <= smallest)
  return fitting.length === 2 ? '10, 100' : [...fitting, 'all'].join(', ')
}

/** One point of a recipe's line: accuracies in percent. */
export interface BudgetPoint {
  recipe: LabelBudgetRecipe
  budget: number
  x: number
  mean: number
  std: number
  /** Finished runs that count towards the mean, of the runs planned for the cell. */
  done: number
  total: number
}

const completed = (cell: LabelBudgetCell): number =>
  cell.runs.filter((r) => r.status === 'completed' && r.testAccuracy !== null).length

/** Per recipe (in the plan's order), its cells that have a mean, left to right. */
export function budgetSeries(
  result: LabelBudgetResult
): { recipe: LabelBudgetRecipe; points: BudgetPoint[] }[] {
  return result.plan.recipes.map((recipe) => ({
    recipe,
    points: result.cells
      .filter((c) => c.recipe === recipe && c.mean !== null)
      .map((c) => ({
        recipe,
        budget: c.budget,
        x: budgetX(c.budget, result.fullBudget),
        mean: c.mean! * 100,
        std: (c.std ?? 0) * 100,
        done: completed(c),
        total: c.runs.length
      }))
      .sort((a, b) => a.x - b.x)
  }))
}

/** The x-axis ticks: one per planned budget, "all" named as such (and its count when it collides). */
export function budgetTicks(result: LabelBudgetResult): { x: number; label: string }[] {
  const ticks = new Map<number, string>()
  for (const budget of result.plan.budgets) {
    const x = budgetX(budget, result.fullBudget)
    const label = budget === 0 ? 'all' : String(budget)
    const other = ticks.get(x)
    ticks.set(x, other && other !== label ? `${x} (all)` : label)
  }
  return [...ticks].map(([x, label]) => ({ x, label })).sort((a, b) => a.x - b.x)
}

/** "71.2 ± 1.3" in percent, "71.2" for one run, "—" before any finished. */
export function formatMeanStd(cell: Pick<LabelBudgetCell, 'mean' | 'std' | 'runs'>): string {
  if (cell.mean === null) return '—'
  const mean = (cell.mean * 100).toFixed(1)
  return completed(cell as LabelBudgetCell) > 1 && cell.std !== null
    ? `${mean} ± ${(cell.std * 100).toFixed(1)}`
    : mean
}

/** "12 of 30 runs done", and what went wrong or is training. */
export function progressText(result: LabelBudgetResult): string {
  const runs = result.cells.flatMap((c) => c.runs)
  const count = (s: string[]): number => runs.filter((r) => s.includes(r.status)).length
  const failed = count(['failed', 'stopped', 'interrupted'])
  const running = count(['running', 'paused'])
  return [
    `${result.done} of ${result.total} runs done`,
    running ? `${running} training` : '',
    failed ? `${failed} failed or stopped` : ''
  ]
    .filter(Boolean)
    .join(' · ')
}

/** The best mean at each budget, to set it in bold (every recipe that ties for it). */
export function bestAtBudget(result: LabelBudgetResult): Map<number, number> {
  const best = new Map<number, number>()
  for (const cell of result.cells)
    if (cell.mean !== null && cell.mean > (best.get(cell.budget) ?? -1))
      best.set(cell.budget, cell.mean)
  return best
}

/** "+4.6 pts vs classifier, ahead on 3/3 seeds": a cell's paired difference to the baseline. */
export function pairedText(paired: PairedDifference | undefined): string | null {
  if (!paired || paired.mean === null) return null
  const points = paired.mean * 100
  const ahead = paired.perSeed.filter((p) => p.difference > 0).length
  return (
    `${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(1)} pts vs classifier, ` +
    `ahead on ${ahead}/${paired.perSeed.length} seed${paired.perSeed.length === 1 ? '' : 's'}`
  )
}

/** Whether a run status event concerns this result (one of its runs), so it should be reloaded. */
export const hasRun = (result: LabelBudgetResult, runId: number): boolean =>
  result.cells.some((c) => c.runs.some((r) => r.runId === runId))

/**
 * Conditional generator runs an augment (or cas) classifier can draw from: finished, on the same
 * dataset, of a recipe whose generator takes the class. Newest first.
 */
export function generatorCandidates(
  runs: readonly RunSummary[],
  datasetId: number | null,
  recipes: readonly string[] = conditionalRecipes
) {
  return runs
    .filter(
      (r) => r.datasetId === datasetId && r.status === 'completed' && recipes.includes(r.recipe)
    )
    .sort((a, b) => b.id - a.id)
}

/** A file name from the experiment's name: letters, digits and dashes. */
export function exportName(name: string, extension: string): string {
  const stem = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
  return `${stem || 'label-budget'}.${extension}`
}

/** The experiment as CSV: the very file `dgmw experiment … --csv` writes. */
export { labelBudgetCsv } from '../../preload/labelBudgetCsv'
