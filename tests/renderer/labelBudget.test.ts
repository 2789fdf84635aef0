import { describe, expect, it } from 'vitest'
import type {
  LabelBudgetCell,
  LabelBudgetResult,
  LabelBudgetRunRef,
  RunSummary
} from '../../preload/contract'
import {
  bestAtBudget,
  budgetSeries,
  budgetTicks,
  exportName,
  formatMeanStd,
  generatorCandidates,
  hasRun,
  labelBudgetCsv,
  parseBudgets,
  progressText,
  defaultBudgetsText
} from '../../renderer/src/labelBudget'

let nextId = 1
const run = (status: LabelBudgetRunRef['status'], acc: number | null, seed = 0) => ({
  runId: nextId++,
  seed,
  status,
  testAccuracy: acc
})
const cell = (
  recipe: LabelBudgetCell['recipe'],
  budget: number,
  runs: LabelBudgetRunRef[],
  mean: number | null,
  std: number | null
): LabelBudgetCell => ({ recipe, budget, runs, mean, std })

/** Two recipes at 10 and "all" (600 per class), two seeds; SGAN's "all" still running. */
function result(): LabelBudgetResult {
  nextId = 1
  return {
    experiment: {
      id: 7,
      kind: 'label-budget',
      name: 'Label budget: classifier, sgan',
      datasetId: 1,
      datasetName: 'clothes',
      runCount: 8,
      createdAt: '2025-01-01T00:00:00Z'
    },
    plan: {
      datasetId: 1,
      recipes: ['classifier', 'sgan'],
      budgets: [10, 0],
      seeds: 2,
      steps: 100,
      batchSize: 32
    },
    cells: [
      cell('classifier', 10, [run('completed', 0.6), run('completed', 0.7, 1)], 0.65, 0.0707),
      cell('classifier', 0, [run('completed', 0.9), run('failed', null, 1)], 0.9, 0),
      cell('sgan', 10, [run('completed', 0.72), run('completed', 0.74, 1)], 0.73, 0.0141),
      cell('sgan', 0, [run('running', null), run('queued', null, 1)], null, null)
    ],
    fullBudget: 600,
    done: 6,
    total: 8
  }
}

describe('budgets as typed', () => {
  it('reads numbers and "all", ascending with all last, without duplicates', () => {
    expect(parseBudgets('100, 10,all 20;10')).toEqual({ budgets: [10, 20, 100, 0] })
    expect(parseBudgets('ALL')).toEqual({ budgets: [0] })
  })

  it('says what is wrong with a budget it cannot read', () => {
    expect(parseBudgets('10, ten')).toEqual({ error: expect.stringMatching(/“ten”/) })
    expect(parseBudgets('0')).toEqual({ error: expect.stringMatching(/“0”/) })
    expect(parseBudgets('2.5')).toEqual({ error: expect.stringMatching(/whole numbers/) })
    expect(parseBudgets('  ')).toEqual({ error: expect.stringMatching(/at least one/) })
    const many = Array.from({ length: 13 }, (_, i) => i + 1).join(',')
    expect(parseBudgets(many)).toEqual({ error: 'At most 12 budgets.' })
  })
})

describe('the chart points', () => {
  it('draws "all" at the full budget, in percent, with the spread of finished runs', () => {
    const [classifier, sgan] = budgetSeries(result())
    expect(classifier.recipe).toBe('classifier')
    expect(classifier.points.map((p) => [p.budget, p.x])).toEqual([
      [10, 10],
      [0, 600]
    ])
    expect(classifier.points[0].mean).toBeCloseTo(65)
    expect(classifier.points[0].std).toBeCloseTo(7.07)
    // The failed seed does not count: one finished run of two.
    expect(classifier.points[1]).toMatchObject({ done: 1, total: 2, std: 0 })
    // No finished run at "all" yet: no point there.
    expect(sgan.points.map((p) => p.budget)).toEqual([10])
  })

  it('labels the ticks by budget, and the full budget "all"', () => {
    expect(budgetTicks(result())).toEqual([
      { x: 10, label: '10' },
      { x: 600, label: 'all' }
    ])
    const colliding = { ...result(), plan: { ...result().plan, budgets: [10, 600, 0] } }
    expect(budgetTicks(colliding)).toEqual([
      { x: 10, label: '10' },
      { x: 600, label: '600 (all)' }
    ])
  })
})

describe('the table and progress', () => {
  it('formats mean ± std in percent, without a spread for a single run', () => {
    const [a, b, , d] = result().cells
    expect(formatMeanStd(a)).toBe('65.0 ± 7.1')
    expect(formatMeanStd(b)).toBe('90.0')
    expect(formatMeanStd(d)).toBe('—')
  })

  it('finds the best mean at each budget', () => {
    const best = bestAtBudget(result())
    expect(best.get(10)).toBe(0.73)
    expect(best.get(0)).toBe(0.9)
  })

  it('says how many runs are done, training and failed', () => {
    expect(progressText(result())).toBe('6 of 8 runs done · 1 training · 1 failed or stopped')
  })

  it('knows its own runs', () => {
    const r = result()
    expect(hasRun(r, r.cells[3].runs[1].runId)).toBe(true)
    expect(hasRun(r, 999)).toBe(false)
  })
})

describe('the CSV export', () => {
  it('has a row per run, then mean and std per recipe and budget, with paired differences', () => {
    const r = result()
    // SGAN at 10 against the classifier on the same seeds: +0.12 and +0.04.
    r.cells[2].vsBaseline = {
      perSeed: [
        { seed: 0, difference: 0.12 },
        { seed: 1, difference: 0.04 }
      ],
      mean: 0.08,
      everySeed: true
    }
    const csv = labelBudgetCsv(r)
    const lines = csv.trimEnd().split('\n')
    expect(lines[0]).toBe(
      'row,recipe,budget,labels_per_class,seed,run_id,status,test_accuracy,mean,std,runs_done,' +
        'paired_difference,mean_paired_difference,ahead_on_every_seed'
    )
    expect(lines).toHaveLength(1 + 8 + 4)
    expect(lines[1]).toBe('run,classifier,10,10,0,1,completed,0.6,,,,,,')
    expect(lines[4]).toBe('run,classifier,all,600,1,4,failed,,,,,,,')
    expect(lines[5]).toBe('run,sgan,10,10,0,5,completed,0.72,,,,0.12,,')
    expect(lines[6]).toBe('run,sgan,10,10,1,6,completed,0.74,,,,0.04,,')
    expect(lines[9]).toBe('summary,classifier,10,10,,,,,0.65,0.0707,2,,,')
    expect(lines[11]).toBe('summary,sgan,10,10,,,,,0.73,0.0141,2,,0.08,true')
    expect(lines[12]).toBe('summary,sgan,all,600,,,,,,,0,,,')
  })

  it('names the file after the experiment', () => {
    expect(exportName('Label budget: classifier, sgan at 5/all', 'csv')).toBe(
      'label-budget-classifier-sgan-at-5-all.csv'
    )
    expect(exportName('???', 'png')).toBe('label-budget.png')
  })
})

describe('generator runs for augment', () => {
  const summary = (id: number, recipe: string, status: RunSummary['status'], datasetId = 1) =>
    ({ id, recipe, status, datasetId }) as RunSummary

  it('lists finished conditional generators of the dataset, newest first', () => {
    const runs = [
      summary(1, 'cgan', 'completed'),
      summary(2, 'dcgan', 'completed'), // unconditional
      summary(3, 'cvae', 'running'),
      summary(4, 'gen-bayes', 'completed'),
      summary(5, 'acgan', 'completed', 2), // another dataset
      summary(6, 'classifier', 'completed')
    ]
    expect(generatorCandidates(runs, 1).map((r) => r.id)).toEqual([4, 1])
  })
})

describe("the plan dialog's first budgets", () => {
  it('are 10 and 100 where every class has that many labels, "all" standing in for the rest', () => {
    expect(defaultBudgetsText([{ train: 5400 }, { train: 120 }])).toBe('10, 100')
    expect(defaultBudgetsText([{ train: 32 }, { train: 40 }])).toBe('10, all')
    expect(defaultBudgetsText([{ train: 8 }])).toBe('all')
    expect(defaultBudgetsText([])).toBe('10, 100')
  })
})
