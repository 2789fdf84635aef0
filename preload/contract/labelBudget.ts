/** Label-budget experiments: the plan, its preview and the accuracy-against-labels result. */
import { z } from 'zod'
import { id } from './schemaParts'
import { profileNameSchema } from './cluster'
import type { ExperimentSummary, RunEstimate, RunStatus } from './types'

/**
 * Recipes a label-budget experiment compares (augment needs a conditional generator run;
 * self-train learns from the vae-graph run of its budget and seed, which the plan adds).
 */
export const labelBudgetRecipes = [
  'classifier',
  'vae-graph',
  'self-train',
  'sgan',
  'gen-bayes',
  'acgan',
  'augment'
] as const
export type LabelBudgetRecipe = (typeof labelBudgetRecipes)[number]

/**
 * A label-budget experiment: every recipe at every budget (labelled images per class; 0 = every
 * label) and seed, all on the same stratified draws, with the same number of optimisation steps.
 */
export const labelBudgetPlanSchema = z.strictObject({
  datasetId: id,
  name: z.string().min(1).max(120).optional(),
  recipes: z.array(z.enum(labelBudgetRecipes)).min(1).max(labelBudgetRecipes.length),
  budgets: z.array(z.number().int().min(0).max(1_000_000)).min(1).max(12),
  /** Seeds 0 … seeds−1: each one draws its own labelled subset and initialises its own weights. */
  seeds: z.number().int().min(1).max(10).default(1),
  /** Optimisation steps every run takes (its epochs follow from its training set size). */
  steps: z.number().int().min(1).max(1_000_000).default(1000),
  batchSize: z.number().int().min(2).max(1024).default(64),
  /** augment: the conditional generator run whose images are added (ratio 1). */
  generatorRunId: id.optional(),
  /** Where the runs train: this machine's queue (absent), or jobs on the named Slurm profile. */
  runOn: profileNameSchema.optional()
})
export type LabelBudgetPlan = z.output<typeof labelBudgetPlanSchema>

export interface LabelBudgetRunRef {
  runId: number
  seed: number
  status: RunStatus
  testAccuracy: number | null
}

/** One point of the accuracy-against-labels chart: a recipe at a budget, over its seeds. */
export interface LabelBudgetCell {
  recipe: LabelBudgetRecipe
  budget: number
  runs: LabelBudgetRunRef[]
  /** Mean and (sample) standard deviation of the finished runs' test accuracy. */
  mean: number | null
  std: number | null
  /**
   * Against the supervised baseline (classifier) at the same budget, seed by seed — the same
   * labelled images, so the difference is paired. Absent for the baseline itself or without one.
   */
  vsBaseline?: PairedDifference
}

export interface PairedDifference {
  /** This recipe's test accuracy minus the baseline's, for each seed both finished. */
  perSeed: { seed: number; difference: number }[]
  mean: number | null
  /** Ahead of the baseline on every paired seed (false without any). */
  everySeed: boolean
}

export interface LabelBudgetResult {
  experiment: ExperimentSummary
  plan: LabelBudgetPlan
  cells: LabelBudgetCell[]
  /** Labelled training images per class when every label is used (the "all" budget's x). */
  fullBudget: number
  done: number
  total: number
}

/** A label-budget plan's size and time before it is queued. */
export interface LabelBudgetPreview {
  runs: number
  estimate: RunEstimate | { unavailable: string }
  /**
   * Steps per run at which the plan takes about 15 minutes here, or less where a budget's cap of
   * 1,000 epochs stops its runs sooner (absent when no number of steps fits).
   */
  fitSteps?: number
}
