/**
 * vae-graph and self-train end to end on real Fashion-MNIST images in a real SQLite store: the
 * graph holds the training split and nothing else (no test or validation image is ever a node),
 * its labelled bank survives the checkpoint (a fresh evaluation gives the same confusion matrix),
 * and self-train learns from the budget plus the graph's labels — never from a hidden label or a
 * test image. Then a label-budget experiment plans self-train behind its graph run and pairs every
 * recipe with the baseline seed by seed.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import '@tensorflow/tfjs-backend-cpu'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '../../../preload/client'
import type { RunDetail } from '../../../preload/contract'
import { readCheckpoint } from '../../../main/engine/checkpoint'
import { datasetTrainingData } from '../../../main/datasets/trainingData'
import type { Workbench } from '../../../main/host/workbenchServices'
import type { PseudoLabels } from '../../../main/engine/models/generative/recipe'
import { generativeData } from '../../../main/runs/generativeRuns'
import { pseudoLabelsFile, runDir } from '../../../main/platform/runFiles'
import { syntheticSpec } from '../../../main/runs/generatedDataRuns'
import { openFashionWorkbench, type FashionWorkbench } from '../../helpers/fashionWorkbench'
import { syntheticRun } from '../../helpers/syntheticRun'

describe('vae-graph and self-train', () => {
  let opened: FashionWorkbench
  let workbench: Workbench
  let client: Client
  let datasetId: number
  let graph: RunDetail

  beforeAll(async () => {
    opened = await openFashionWorkbench(30)
    ;({ workbench, client } = opened)
    datasetId = opened.report.dataset.id
    graph = await opened.train({
      datasetId,
      recipe: 'vae-graph',
      config: { epochs: 2, batchSize: 32, labelsPerClass: 3, neighbours: 5, seed: 1 }
    })
  }, 240_000)
  afterAll(() => opened.close())

  it('builds its graph on the training split only, labelled within the budget', () => {
    const split = (name: string): number[] =>
      workbench.store.datasets
        .labelsAndSplits(datasetId)
        .flatMap((r, i) => (r.split === name ? [i] : []))
    const pseudo = JSON.parse(
      readFileSync(pseudoLabelsFile(runDir(workbench.dataDir, graph.id)), 'utf8')
    ) as PseudoLabels
    expect([...pseudo.indices].sort((a, b) => a - b)).toEqual(split('train'))
    const elsewhere = new Set([...split('test'), ...split('val')])
    expect(pseudo.indices.some((i) => elsewhere.has(i))).toBe(false)
    expect(pseudo.labels).toHaveLength(pseudo.indices.length)
    // The budget's labelled images keep their own label and are marked as such.
    const budget = generativeData(workbench.store, datasetId, 'vae-graph', {
      labelsPerClass: 3,
      seed: 1
    })
    expect([...pseudo.labelled].sort((a, b) => a - b)).toEqual(budget.labelledIndices)
    for (const index of pseudo.labelled) {
      const at = pseudo.indices.indexOf(index)
      expect(pseudo.labels[at]).toBe(budget.labels[index])
      expect(pseudo.margins[at]).toBeNull()
    }
    // The checkpointed bank: one latent mean per training image, one label each.
    const checkpoint = readCheckpoint(join(runDir(workbench.dataDir, graph.id), 'checkpoint.ckpt'))
    const bank = checkpoint.weights.find((w) => w.name === 'buffers/latents')!
    const labels = checkpoint.weights.find((w) => w.name === 'buffers/labels')!
    expect(bank.tensor.shape).toEqual([split('train').length, 20])
    expect(Array.from(labels.tensor.dataSync())).toEqual(pseudo.labels)
    for (const w of [...checkpoint.weights, ...checkpoint.optimizer]) w.tensor.dispose()
    expect(graph.metrics['graph/knn_seconds']?.length).toBe(1)
    expect(graph.metrics['graph/iterations']?.[0].value).toBeGreaterThanOrEqual(50)
  })

  it('classifies the test split inductively, the same again from its checkpoint', async () => {
    const evaluation = await client.request('runs/evaluation', { id: graph.id })
    expect(evaluation!.count).toBe(opened.report.splits.test)
    // Well above chance (10%) with 3 labels per class after 2 epochs on 210 images.
    expect(evaluation!.accuracy).toBeGreaterThan(0.2)
    const again = await client.request('runs/evaluate', { id: graph.id })
    expect(again.confusion).toEqual(evaluation!.confusion)
  }, 120_000)

  it('self-train learns from the budget plus graph labels, never a hidden label or a test image', async () => {
    // By default a budget run takes at least 2,000 steps, and says so before it starts.
    const preview = await client.request('runs/preview', {
      datasetId,
      recipe: 'self-train',
      config: { generatorRunId: graph.id }
    })
    expect(preview.plannedSteps).toBeGreaterThanOrEqual(2000)
    expect(preview.trainingLength).toMatch(/raised to reach the minimum of 2,000 steps/)
    const run = await opened.train({
      datasetId,
      recipe: 'self-train',
      // A budget and seed of its own are overridden by the graph run's.
      config: {
        generatorRunId: graph.id,
        pseudoLabelShare: 0.5,
        labelsPerClass: 7,
        epochs: 2,
        minSteps: 0
      }
    })
    expect(run.config.labelsPerClass).toBe(3)
    expect(run.config.seed).toBe(1)
    expect(run.headline.labelledImages).toBe(30)
    expect(run.headline.trainingLength).toMatch(/^\d+ optimisation steps \(2 epochs × /)
    const spec = syntheticSpec(
      workbench.store,
      workbench.dataDir,
      syntheticRun(workbench.store, run.id),
      {
        resume: false,
        evaluateOnly: false
      }
    )
    const pseudo = JSON.parse(
      readFileSync(pseudoLabelsFile(runDir(workbench.dataDir, graph.id)), 'utf8')
    ) as PseudoLabels
    const graphLabel = new Map(pseudo.indices.map((index, at) => [index, pseudo.labels[at]]))
    const truth = datasetTrainingData(workbench.store, datasetId, { normalisation: 'unit' }).labels
    const labelled = new Set(pseudo.labelled)
    const training = new Set(spec.data.kind === 'dataset' ? spec.data.trainIndices : [])
    const data = spec.data as Extract<typeof spec.data, { kind: 'dataset' }>
    expect(data.evalIndices.some((i) => training.has(i))).toBe(false)
    expect(data.valIndices.some((i) => training.has(i))).toBe(false)
    // Half of the graph's labels (per class, rounded) plus the 30 labelled images.
    expect(training.size).toBeGreaterThan(30 + 0.4 * (pseudo.indices.length - 30))
    for (const index of pseudo.indices) {
      if (labelled.has(index)) expect(data.labels[index]).toBe(truth[index])
      else if (training.has(index)) expect(data.labels[index]).toBe(graphLabel.get(index))
      else expect(data.labels[index]).toBe(-1)
    }
    const evaluation = await client.request('runs/evaluation', { id: run.id })
    expect(evaluation!.count).toBe(opened.report.splits.test)
  }, 240_000)

  it('refuses self-train from a run that is not a vae-graph run', async () => {
    const classifier = await opened.train({
      datasetId,
      recipe: 'classifier',
      config: { epochs: 1, minSteps: 0 }
    })
    await expect(
      client.request('runs/start', {
        datasetId,
        recipe: 'self-train',
        config: { generatorRunId: classifier.id }
      })
    ).rejects.toThrow(/pick a vae-graph run/)
  }, 120_000)

  it('plans self-train behind its graph run and pairs each recipe with the baseline', async () => {
    const planned = await client.request('experiments/labelBudget', {
      datasetId,
      recipes: ['classifier', 'self-train'],
      budgets: [2],
      seeds: 2,
      steps: 20,
      batchSize: 32
    })
    expect(planned.plan.recipes).toEqual(['classifier', 'vae-graph', 'self-train'])
    for (const cell of planned.cells)
      for (const ref of cell.runs) await workbench.runs.settled(ref.runId)
    const result = await client.request('experiments/labelBudgetResult', {
      id: planned.experiment.id
    })
    const selfTrain = result.cells.find((c) => c.recipe === 'self-train')!
    const baseline = result.cells.find((c) => c.recipe === 'classifier')!
    expect(selfTrain.runs.map((r) => r.status)).toEqual(['completed', 'completed'])
    expect(baseline.vsBaseline).toBeUndefined()
    const paired = selfTrain.vsBaseline!
    expect(paired.perSeed.map((p) => p.seed)).toEqual([0, 1])
    for (const { seed, difference } of paired.perSeed) {
      const mine = selfTrain.runs.find((r) => r.seed === seed)!.testAccuracy!
      const theirs = baseline.runs.find((r) => r.seed === seed)!.testAccuracy!
      expect(difference).toBeCloseTo(mine - theirs, 10)
    }
    expect(paired.everySeed).toBe(paired.perSeed.every((p) => p.difference > 0))
    // Each self-train run learnt from the graph run of its own seed.
    for (const ref of selfTrain.runs) {
      const run = syntheticRun(workbench.store, ref.runId)
      const graphRun = workbench.store.runs.get(run.config.generatorRunId)
      expect(graphRun.recipe).toBe('vae-graph')
      expect(graphRun.seed).toBe(ref.seed)
    }
  }, 600_000)
})
