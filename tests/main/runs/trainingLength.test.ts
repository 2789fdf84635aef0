/**
 * How long a run trains: a label budget raises a handful of steps to the minimum (2,000 by
 * default, said in words), a whole training split keeps its epochs, `minSteps: 0` trains exactly
 * the epochs asked for; and the label-budget bench's verdict on issue 15's targets.
 */
import { describe, expect, it } from 'vitest'
import type { LabelBudgetCell, LabelBudgetResult } from '../../../preload/contract'
import { trainingLength, trainingLengthText } from '../../../preload/trainingLength'
import { labelBudgetVerdict } from '../../../main/bench/labelBudgetBench'
import { pairedDifference } from '../../../main/runs/labelBudgetExperiment'

describe('training length', () => {
  it('raises the epochs of a 10-labels-per-class run to 2,000 steps, and says so', () => {
    const length = trainingLength({ epochs: 5, batchSize: 64, labelsPerClass: 10 }, 100)
    expect(length).toMatchObject({ epochs: 1000, stepsPerEpoch: 2, steps: 2000, raisedFrom: 5 })
    expect(trainingLengthText(length, 64, 100)).toBe(
      '2,000 optimisation steps (1,000 epochs × 2 batches of 64 on 100 images); 5 epochs raised to reach the minimum of 2,000 steps'
    )
    // 100 per class: 16 batches an epoch, 125 epochs.
    expect(trainingLength({ epochs: 3, batchSize: 64, labelsPerClass: 100 }, 1000).epochs).toBe(125)
  })

  it('leaves a run on the whole split, an explicit minimum of 0, and long runs alone', () => {
    expect(trainingLength({ epochs: 5, batchSize: 64 }, 54_000)).toEqual({
      epochs: 5,
      stepsPerEpoch: 844,
      steps: 4220,
      minSteps: 0
    })
    expect(
      trainingLength({ epochs: 3, batchSize: 64, labelsPerClass: 10, minSteps: 0 }, 100).steps
    ).toBe(6)
    expect(
      trainingLength({ epochs: 5, batchSize: 128, labelsPerClass: 10 }, 54_000).raisedFrom
    ).toBeUndefined()
    // Never past 1,000 epochs, even when the minimum asks for more, and it says so.
    const capped = trainingLength({ epochs: 5, batchSize: 64, labelsPerClass: 5 }, 50)
    expect(capped).toMatchObject({ epochs: 1000, steps: 1000, raisedFrom: 5 })
    expect(trainingLengthText(capped, 64, 50)).toBe(
      '1,000 optimisation steps (1,000 epochs × 1 batch of 64 on 50 images); 5 epochs raised to the most allowed, 1,000, short of the minimum of 2,000 steps'
    )
  })
})

const cell = (
  recipe: LabelBudgetCell['recipe'],
  budget: number,
  accuracies: number[]
): LabelBudgetCell => ({
  recipe,
  budget,
  runs: accuracies.map((testAccuracy, seed) => ({
    runId: 100 + seed,
    seed,
    status: 'completed',
    testAccuracy
  })),
  mean: null,
  std: null
})

describe('label-budget verdict', () => {
  it('pairs seeds, and meets a target only when every seed is ahead by enough, in time', () => {
    const baseline10 = cell('classifier', 10, [0.685, 0.718, 0.669])
    const graph10 = cell('vae-graph', 10, [0.74, 0.77, 0.73])
    const self10 = cell('self-train', 10, [0.75, 0.715, 0.76])
    const baseline100 = cell('classifier', 100, [0.817, 0.819, 0.821])
    const graph100 = cell('vae-graph', 100, [0.8, 0.81, 0.805])
    for (const [c, b] of [
      [graph10, baseline10],
      [self10, baseline10],
      [graph100, baseline100]
    ])
      c.vsBaseline = pairedDifference(c, b)
    expect(self10.vsBaseline!.perSeed.map((p) => +p.difference.toFixed(3))).toEqual([
      0.065, -0.003, 0.091
    ])
    expect(self10.vsBaseline!.everySeed).toBe(false)
    expect(graph10.vsBaseline!.everySeed).toBe(true)
    const result = {
      plan: { budgets: [10, 100] },
      cells: [baseline10, graph10, self10, baseline100, graph100]
    } as unknown as LabelBudgetResult
    const [at10, at100] = labelBudgetVerdict(result, {
      'vae-graph': [400, 420],
      'self-train': [300]
    })
    // self-train leads on average (+5.1) but not on every seed; vae-graph (+5.6) does.
    expect(at10).toMatchObject({ budget: 10, best: 'vae-graph', everySeed: true, met: true })
    expect(at10.meanLead).toBeCloseTo(5.6, 5)
    expect(at100).toMatchObject({ budget: 100, best: 'vae-graph', everySeed: false, met: false })
    // Too slow a run misses the target whatever its lead.
    expect(labelBudgetVerdict(result, { 'vae-graph': [901] })[0].met).toBe(false)
    // self-train's time includes the vae-graph run it learns from.
    self10.vsBaseline = { ...self10.vsBaseline!, mean: 0.07, everySeed: true }
    const timed = labelBudgetVerdict(result, { 'vae-graph': [500], 'self-train': [300, 420] })[0]
    expect(timed).toMatchObject({ best: 'self-train', slowestRunSeconds: 920, met: false })
  })
})
