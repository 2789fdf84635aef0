/**
 * A label-budget experiment through the contract, on real Fashion-MNIST images: the plan is
 * stored, every recipe × budget × seed run is queued on the same labelled subsets, and the
 * result (and its CSV) is rebuilt from the finished runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '../../../preload/client'
import { labelBudgetCsv } from '../../../preload/labelBudgetCsv'
import type { Workbench } from '../../../main/host/workbenchServices'
import { epochsFor, meanStd } from '../../../main/runs/labelBudgetExperiment'
import { openFashionWorkbench, type FashionWorkbench } from '../../helpers/fashionWorkbench'

describe('label-budget planning', () => {
  it('gives every run about the same number of steps', () => {
    expect(epochsFor(1000, 64, 100)).toBe(640)
    expect(epochsFor(1000, 64, 60_000)).toBe(1)
    expect(epochsFor(10, 64, 1_000_000)).toBe(1)
    expect(epochsFor(100_000, 64, 10)).toBe(1000)
  })

  it('summarises seeds with the sample standard deviation', () => {
    expect(meanStd([])).toEqual({ mean: null, std: null })
    expect(meanStd([0.5])).toEqual({ mean: 0.5, std: 0 })
    const { mean, std } = meanStd([0.8, 0.9, 1.0])
    expect(mean).toBeCloseTo(0.9, 12)
    expect(std).toBeCloseTo(0.1, 12)
  })
})

describe('a label-budget experiment', () => {
  let workbench: Workbench
  let client: Client
  let datasetId: number

  let opened: FashionWorkbench
  beforeAll(async () => {
    opened = await openFashionWorkbench(20)
    ;({ workbench, client } = opened)
    datasetId = opened.report.dataset.id
  }, 60_000)
  afterAll(() => opened.close())

  it('refuses augment without a generator, saying what to name', async () => {
    await expect(
      client.request('experiments/labelBudget', {
        datasetId,
        recipes: ['classifier', 'augment'],
        budgets: [5]
      })
    ).rejects.toThrow(/conditional generator run/)
  })

  it('refuses a budget above what a class has before recording or queueing anything', async () => {
    const before = (await client.request('experiments/list')).length
    await expect(
      client.request('experiments/labelBudget', {
        datasetId,
        recipes: ['classifier'],
        budgets: [3, 500]
      })
    ).rejects.toThrow(
      /^500 labels per class is more than class ".+" has: it has \d+ labelled training images\./
    )
    expect(await client.request('experiments/list')).toHaveLength(before)
    expect(await client.request('runs/list', {})).toEqual([])
  })

  it('queues every recipe at every budget and seed, and charts their test accuracy', async () => {
    const planned = await client.request('experiments/labelBudget', {
      datasetId,
      recipes: ['classifier', 'sgan', 'gen-bayes'],
      budgets: [0, 3],
      seeds: 2,
      steps: 6,
      batchSize: 16
    })
    expect(planned.experiment.kind).toBe('label-budget')
    expect(planned.plan.budgets).toEqual([3, 0]) // sorted, "all" last
    expect(planned.total).toBe(12)
    const runIds = planned.cells.flatMap((c) => c.runs.map((r) => r.runId))
    expect(runIds).toHaveLength(12)
    for (const id of runIds) expect((await workbench.runs.settled(id)).status).toBe('completed')

    const result = await client.request('experiments/labelBudgetResult', {
      id: planned.experiment.id
    })
    expect(result.done).toBe(12)
    // 20 images a class, 80% of them training images.
    expect(result.fullBudget).toBeGreaterThanOrEqual(14)
    for (const cell of result.cells) {
      expect(cell.runs.map((r) => r.seed).sort()).toEqual([0, 1])
      // Six steps teach gen-bayes next to nothing (0 of 20 test images happens), so the cell is
      // checked against its own runs rather than against chance.
      const accuracies = cell.runs.map((r) => r.testAccuracy!)
      for (const a of accuracies) expect(a >= 0 && a <= 1).toBe(true)
      expect(cell.mean).toBeCloseTo((accuracies[0] + accuracies[1]) / 2, 12)
      expect(cell.std).toBeCloseTo(Math.abs(accuracies[0] - accuracies[1]) / Math.SQRT2, 12)
    }
    // Same budget and seed: every recipe learnt from the very same labelled images.
    const labelled = (runId: number): number | undefined =>
      workbench.store.runs.summary(runId).headline.labelledImages
    const atThree = result.cells.filter((c) => c.budget === 3)
    for (const seed of [0, 1]) {
      const counts = atThree.map((c) => labelled(c.runs.find((r) => r.seed === seed)!.runId))
      expect(counts).toEqual([30, 30, 30])
    }
    // Stored in history: the experiment lists, and its CSV holds every run and a summary row.
    const listed = await client.request('experiments/list', {})
    expect(listed.find((e) => e.id === planned.experiment.id)?.kind).toBe('label-budget')
    const csv = labelBudgetCsv(result).trim().split('\n')
    expect(csv).toHaveLength(1 + 12 + 6)
    expect(csv.filter((l) => l.startsWith('summary,sgan,3,3,'))).toHaveLength(1)
  }, 300_000)
})
