/**
 * The label-budget experiment: test accuracy against the number of labelled images per class, one
 * line per recipe — the question "does a generative model help when labels are scarce?".
 *
 * Fairness: at a budget and seed every recipe sees exactly the same labelled images (the seeded,
 * stratified draw of datasets/labelBudget.ts) and the same validation and test images, and takes
 * about the same number of optimisation steps (epochs follow from each recipe's training set:
 * SGAN's epoch is the whole unlabelled split, a classifier's only its labelled images). The plan is
 * stored with the experiment, and the chart is rebuilt from its runs whenever it is asked for.
 */
import {
  isLiveStatus,
  classifierConfigSchema,
  syntheticConfigSchema,
  type LabelBudgetCell,
  type LabelBudgetPlan,
  type LabelBudgetRecipe,
  type LabelBudgetResult,
  type PairedDifference,
  type LabelBudgetPreview,
  type RequestArgs,
  requests
} from '../../preload/contract'
import { datasetTrainingData } from '../datasets/trainingData'
import { checkLabelsPerClass } from '../datasets/labelsAvailable'
import { UserError } from '../platform/userError'
import type { RunStore } from '../store/runStore'
import type { RunService } from './runService'
import { selfTrainImages } from './selfTraining'
import { checkGenerator } from './generatedDataRuns'

const maxEpochs = 1000

/** The time a first label-budget plan should take on this machine: a result within the hour. */
export const labelBudgetTargetSeconds = 15 * 60

/** Epochs that give about `steps` batches on `images` training images (at least one). */
export const epochsFor = (steps: number, batchSize: number, images: number): number =>
  Math.min(maxEpochs, Math.max(1, Math.round((steps * batchSize) / Math.max(1, images))))

/**
 * How the plan's CNNs (classifier, augment, self-train) learn, whatever the classifier defaults:
 * Adam at a constant 1e-3, as the PyTorch twin of its baseline (bench/reference/label_budget_torch.py)
 * and the label-budget figures in bench/RESULTS.md. Batch size and steps come from the plan.
 */
const planCnnOptimiser = { optimizer: 'adam', learningRate: 1e-3, schedule: 'constant' } as const

/** The runs/start arguments of one recipe at one budget and seed. */
export function plannedRun(
  plan: LabelBudgetPlan,
  recipe: LabelBudgetRecipe,
  budget: number,
  seed: number,
  sizes: { labelled: number; all: number },
  /** self-train: the vae-graph run of the same budget and seed. */
  graphRunId?: number
): RequestArgs<'runs/start'> {
  // The plan's steps decide the length: no run's own minimum raises it.
  const common = { batchSize: plan.batchSize, labelsPerClass: budget, seed, minSteps: 0 }
  switch (recipe) {
    case 'classifier':
      return {
        datasetId: plan.datasetId,
        recipe,
        config: classifierConfigSchema.parse({
          ...common,
          ...planCnnOptimiser,
          epochs: epochsFor(plan.steps, plan.batchSize, sizes.labelled)
        })
      }
    case 'augment':
      return {
        datasetId: plan.datasetId,
        recipe,
        config: {
          ...common,
          ...planCnnOptimiser,
          // Ratio 1: as many generated images as labelled ones.
          epochs: epochsFor(plan.steps, plan.batchSize, 2 * sizes.labelled),
          generatorRunId: plan.generatorRunId!,
          syntheticRatio: 1
        }
      }
    case 'sgan':
      return {
        datasetId: plan.datasetId,
        recipe,
        config: { ...common, epochs: epochsFor(plan.steps, plan.batchSize, sizes.all) }
      }
    case 'vae-graph':
      // Its VAE never sees a label, so it keeps the recipe's epochs (Calder et al.'s VAE, batch
      // 128) at every budget; the graph step adds no optimisation steps. Compared by wall time.
      return {
        datasetId: plan.datasetId,
        recipe,
        config: { labelsPerClass: budget, seed, minSteps: 0 }
      }
    case 'self-train': {
      // The CNN gets the plan's steps on the labelled images plus half the graph's labels.
      const config = syntheticConfigSchema.parse({
        ...common,
        ...planCnnOptimiser,
        generatorRunId: graphRunId!
      })
      const images = selfTrainImages(sizes.labelled, sizes.all, config.pseudoLabelShare)
      return {
        datasetId: plan.datasetId,
        recipe,
        config: { ...config, epochs: epochsFor(plan.steps, plan.batchSize, images) }
      }
    }
    case 'acgan':
    case 'gen-bayes':
      return {
        datasetId: plan.datasetId,
        recipe,
        config: { ...common, epochs: epochsFor(plan.steps, plan.batchSize, sizes.labelled) }
      }
  }
}

/** A recipe's accuracy minus the baseline's, seed by seed (finished runs of both only). */
export function pairedDifference(
  cell: LabelBudgetCell,
  baseline: LabelBudgetCell
): PairedDifference {
  const accuracyAt = (c: LabelBudgetCell, seed: number): number | null =>
    c.runs.find((r) => r.seed === seed && r.status === 'completed')?.testAccuracy ?? null
  const perSeed = cell.runs.flatMap((r) => {
    const mine = accuracyAt(cell, r.seed)
    const theirs = accuracyAt(baseline, r.seed)
    return mine === null || theirs === null ? [] : [{ seed: r.seed, difference: mine - theirs }]
  })
  return {
    perSeed,
    mean: meanStd(perSeed.map((p) => p.difference)).mean,
    everySeed: perSeed.length > 0 && perSeed.every((p) => p.difference > 0)
  }
}

const budgetLabel = (budget: number): string => (budget === 0 ? 'all' : String(budget))

/** Mean and sample standard deviation (null without values; 0 for one value). */
export function meanStd(values: number[]): { mean: number | null; std: number | null } {
  if (values.length === 0) return { mean: null, std: null }
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const variance =
    values.length > 1
      ? values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1)
      : 0
  return { mean, std: Math.sqrt(variance) }
}

export function createLabelBudgetService(store: RunStore, runs: RunService) {
  /** Every training image of the dataset, and those with a label (the "all" budget). */
  function fullSizes(datasetId: number): { all: number; fullLabelled: number } {
    const data = datasetTrainingData(store, datasetId, {
      normalisation: 'unit',
      semiSupervised: true
    })
    return { all: data.trainIndices.length, fullLabelled: data.labelledIndices!.length }
  }

  /** Labelled training images at a budget: the size of the seeded draw. */
  const labelledAt = (datasetId: number, budget: number, seed: number): number =>
    datasetTrainingData(store, datasetId, { normalisation: 'unit', labelsPerClass: budget, seed })
      .trainIndices.length

  function result(id: number): LabelBudgetResult {
    const experiment = store.experiments.get(id)
    if (experiment.kind !== 'label-budget')
      throw new UserError(`Experiment ${id} is not a label-budget experiment.`, 'not-found')
    const plan = store.experiments.labelBudgetPlan(id)
    const experimentRuns = store.runs.ofExperiment(id)
    const cells: LabelBudgetCell[] = plan.recipes.flatMap((recipe) =>
      plan.budgets.map((budget) => {
        const mine = experimentRuns.filter(
          (r) => r.recipe === recipe && (r.config.labelsPerClass ?? 0) === budget
        )
        const finished = mine.flatMap((r) =>
          r.status === 'completed' && r.testAccuracy !== null ? [r.testAccuracy] : []
        )
        return {
          recipe,
          budget,
          runs: mine.map((r) => ({
            runId: r.id,
            seed: r.seed,
            status: r.status,
            testAccuracy: r.testAccuracy
          })),
          ...meanStd(finished)
        }
      })
    )
    for (const cell of cells) {
      const baseline = cells.find((c) => c.recipe === 'classifier' && c.budget === cell.budget)
      if (baseline && cell !== baseline) cell.vsBaseline = pairedDifference(cell, baseline)
    }
    const classes = Math.max(1, store.datasets.get(plan.datasetId).classNames.length)
    return {
      experiment,
      plan,
      cells,
      fullBudget: Math.round(fullSizes(plan.datasetId).fullLabelled / classes),
      done: experimentRuns.filter((r) => !isLiveStatus(r.status)).length,
      total: experimentRuns.length
    }
  }

  return {
    result,

    /**
     * How many runs the plan queues and how long they take on this machine (nothing is recorded):
     * each recipe's steps at each budget as `plan` would queue them (seed 0's draw stands for
     * every seed's), at the speed measured for it.
     */
    async preview(plan: LabelBudgetPlan): Promise<LabelBudgetPreview> {
      const dataset = store.datasets.get(plan.datasetId)
      if (plan.runOn) runs.clusterProfile(plan.runOn)
      const recipes =
        plan.recipes.includes('self-train') && !plan.recipes.includes('vae-graph')
          ? [...plan.recipes, 'vae-graph' as const]
          : plan.recipes
      const budgets = [...new Set(plan.budgets)]
      const full = fullSizes(dataset.id)
      const planned = recipes.flatMap((recipe) =>
        budgets.map((budget) => {
          const size = {
            all: full.all,
            labelled: budget ? labelledAt(dataset.id, budget, 0) : full.fullLabelled
          }
          if (recipe === 'self-train')
            // Its config needs the graph run, which does not exist yet: the plan's steps it is.
            return {
              recipe,
              config: syntheticConfigSchema.parse({ batchSize: plan.batchSize, generatorRunId: 1 }),
              steps: plan.steps,
              count: plan.seeds
            }
          const args = requests['runs/start'].args.parse(plannedRun(plan, recipe, budget, 0, size))
          return { ...runs.plan(args), recipe, count: plan.seeds }
        })
      )
      const count = planned.reduce((n, p) => n + p.count, 0)
      // This machine's measured speed says nothing about a cluster's nodes and queue.
      if (plan.runOn)
        return {
          runs: count,
          estimate: {
            unavailable: `The runs are jobs on Slurm profile ${plan.runOn}: their time depends on its nodes and queue, not on this machine.`
          }
        }
      const estimate = await runs.estimate(planned, dataset.id)
      const reply = { runs: count, estimate }
      if (!('seconds' in estimate)) return reply
      // The time is linear in the plan's steps (vae-graph keeps its own): a second estimate at
      // 1,000 steps more (speeds now cached) gives the steps that fit the target time.
      const longer = await runs.estimate(
        planned.map((p) =>
          p.recipe === 'vae-graph'
            ? p
            : { ...p, steps: (p.steps * (plan.steps + 1000)) / plan.steps }
        ),
        dataset.id
      )
      if (!('seconds' in longer)) return reply
      const perStep = (longer.seconds - estimate.seconds) / 1000
      const fixed = estimate.seconds - plan.steps * perStep
      const fit = Math.round((labelBudgetTargetSeconds - fixed) / perStep / 50) * 50
      return fit >= 50 ? { ...reply, fitSteps: fit } : reply
    },

    /** Records the experiment and queues every run: seed by seed, so a first chart comes early. */
    plan(input: LabelBudgetPlan): LabelBudgetResult {
      const plan = { ...input, budgets: [...new Set(input.budgets)].sort(byBudget) }
      const dataset = store.datasets.get(plan.datasetId)
      // Refused before anything is recorded, not after the smaller budgets' runs are queued.
      const largest = Math.max(0, ...plan.budgets)
      if (largest > 0) checkLabelsPerClass(store, dataset, largest)
      if (plan.recipes.includes('augment')) {
        if (plan.generatorRunId === undefined)
          throw new UserError(
            'The augment recipe adds a generator’s images: name a conditional generator run ' +
              '(cgan, acgan, cvae or gen-bayes) trained on this dataset.'
          )
        checkGenerator(store, dataset.id, plan.generatorRunId)
      }
      // self-train learns from the vae-graph run of its budget and seed: plan that run first.
      if (plan.recipes.includes('self-train') && !plan.recipes.includes('vae-graph'))
        plan.recipes = [
          ...plan.recipes.filter((r) => r !== 'self-train'),
          'vae-graph',
          'self-train'
        ]
      const name =
        plan.name ??
        `Label budget: ${plan.recipes.join(', ')} at ${plan.budgets.map(budgetLabel).join('/')} labels per class`
      const experimentId = store.experiments.create(name, dataset.id, null, {
        kind: 'label-budget',
        plan
      })
      const full = fullSizes(dataset.id)
      for (let seed = 0; seed < plan.seeds; seed++)
        for (const budget of plan.budgets) {
          const size = {
            all: full.all,
            labelled: budget ? labelledAt(dataset.id, budget, seed) : full.fullLabelled
          }
          let graphRunId: number | undefined
          // vae-graph before self-train, whatever order the plan lists them in.
          const order = [...plan.recipes].sort(
            (a, b) => Number(a === 'self-train') - Number(b === 'self-train')
          )
          for (const recipe of order) {
            const run = runs.start(
              requests['runs/start'].args.parse({
                ...plannedRun(plan, recipe, budget, seed, size, graphRunId),
                experimentId,
                name: `${recipe} · ${budgetLabel(budget)} labels/class · seed ${seed}`,
                ...(plan.runOn ? { runOn: plan.runOn } : {})
              }),
              { realOnlyTwin: false }
            )
            if (recipe === 'vae-graph') graphRunId = run.id
          }
        }
      return result(experimentId)
    }
  }
}

/** Budgets ascending, with "all" (0) last. */
const byBudget = (a: number, b: number): number => (a === 0 ? 1 : b === 0 ? -1 : a - b)
