/**
 * `dgmw experiment label-budget`: plans the experiment (every recipe at every budget and seed),
 * waits for its runs, and prints accuracy against labels as a table, JSON, or CSV.
 */
import {
  labelBudgetPlanSchema,
  type LabelBudgetResult,
  type RunSummary
} from '../../../preload/contract'
import { labelBudgetCsv } from '../../../preload/labelBudgetCsv'
import { writeFileAtomic } from '../../platform/atomicWrite'
import { UserError } from '../../platform/userError'
import type { CommandContext } from '../context'
import { note, printJson, progressWriter } from '../output'
import { datasetIdOf, settled, withClient, withEngine } from '../workbenchClient'
import { validOptions } from './generativeOptions'
import { numberOption, runOnOf } from './train'

export const experimentHelp = `dgmw experiment label-budget --dataset <id|name>
           --recipes classifier,sgan,gen-bayes,acgan,augment --budgets 10,20,50,100,all
           [--seeds N] [--steps N] [--batch-size B] [--generator <run>] [--name N]
           [--executor slurm --profile P] [--csv FILE] [--json]
dgmw experiment label-budget --resume <experiment> [--csv FILE] [--json]
  Test accuracy against labelled images per class, one line per recipe: every recipe at
  every budget (labels per class; "all" = every label) with seeds 0…N−1 (default 1), on the
  same stratified labelled subsets and test split, each run about --steps optimisation steps
  (default 1000). augment needs --generator (a conditional generator run). Stored in run
  history as an experiment (the app's Label budget view draws it); --resume waits for an
  earlier one's runs. --csv writes one row per run plus mean ± std per recipe and budget.
  --executor slurm --profile P runs every run as a task of a Slurm job array on profile P
  (see \`dgmw slurm profile\`); results come back into the same history.`

const percent = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1)}%`)

/** The accuracy table: a row per recipe, a column per budget, mean ± std over seeds. */
export function labelBudgetTable(result: LabelBudgetResult): string {
  const budgets = result.plan.budgets
  const header = ['recipe', ...budgets.map((b) => (b === 0 ? 'all' : `${b}/class`))]
  const rows = result.plan.recipes.map((recipe) => [
    recipe,
    ...budgets.map((budget) => {
      const cell = result.cells.find((c) => c.recipe === recipe && c.budget === budget)!
      if (cell.mean === null) return '—'
      return result.plan.seeds > 1
        ? `${percent(cell.mean)} ± ${((cell.std ?? 0) * 100).toFixed(1)}`
        : percent(cell.mean)
    })
  ])
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i].length)))
  return [header, ...rows]
    .map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  '))
    .join('\n')
}

export async function experimentCommand(ctx: CommandContext): Promise<number> {
  const [kind] = ctx.positionals
  if (kind !== 'label-budget')
    throw new UserError('Say which experiment: `dgmw experiment label-budget …` (see --help).')
  const runOn = runOnOf(ctx)
  // Cluster jobs train on their nodes' engines: this process only records them.
  // It waits for its runs: cluster runs nobody follows (their CLI was killed) are followed here.
  const adopt = { adoptClusterRuns: true }
  return (runOn ? withClient : withEngine)(
    ctx,
    async (client) => {
      let result: LabelBudgetResult
      const resume = ctx.values.resume as string | undefined
      if (resume) {
        result = await client.request('experiments/labelBudgetResult', { id: Number(resume) })
        for (const cell of result.cells)
          for (const run of cell.runs)
            if (['interrupted', 'stopped', 'failed'].includes(run.status))
              await client.request('runs/resume', { id: run.runId })
      } else {
        if (!ctx.values.dataset)
          throw new UserError('Say which dataset: --dataset <id|name> (see `dgmw datasets`).')
        const plan = validOptions(
          labelBudgetPlanSchema.safeParse({
            datasetId: await datasetIdOf(client, ctx.values.dataset as string),
            name: ctx.values.name,
            recipes: String(ctx.values.recipes ?? 'classifier,sgan,gen-bayes').split(','),
            budgets: String(ctx.values.budgets ?? '10,20,50,100,all')
              .split(',')
              .map((b) => (b.trim() === 'all' ? 0 : Number(b))),
            seeds: numberOption(ctx, 'seeds'),
            steps: numberOption(ctx, 'steps'),
            batchSize: numberOption(ctx, 'batch-size'),
            generatorRunId: numberOption(ctx, 'generator'),
            runOn
          })
        )
        result = await client.request('experiments/labelBudget', plan)
      }
      const id = result.experiment.id
      note(`Experiment ${id}: ${result.experiment.name} — ${result.total} runs`)
      const progress = progressWriter()
      const runIds = result.cells.flatMap((c) => c.runs.map((r) => r.runId))
      let done = 0
      const finished: RunSummary[] = []
      try {
        for (const runId of runIds) {
          const run = await settled(client, runId)
          finished.push(run)
          done++
          progress.print(
            `${done}/${runIds.length} run ${run.id} ${run.name ?? run.recipe}: ${run.status}` +
              (run.headline.testAccuracy !== undefined
                ? ` · test accuracy ${percent(run.headline.testAccuracy)}`
                : run.error
                  ? ` · ${run.error}`
                  : '')
          )
        }
      } finally {
        progress.end()
      }
      result = await client.request('experiments/labelBudgetResult', { id })
      if (ctx.values.csv) {
        writeFileAtomic(ctx.values.csv as string, Buffer.from(labelBudgetCsv(result)))
        note(`Wrote ${ctx.values.csv as string}`)
      }
      if (ctx.json) printJson(result)
      else console.log(labelBudgetTable(result))
      return finished.every((r) => r.status === 'completed') ? 0 : 1
    },
    adopt
  )
}
