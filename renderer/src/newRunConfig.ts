/** Pure helpers of the new-run form: defaults, the remembered config, and readable field errors. */
import type { z } from 'zod'
import {
  classifierConfigSchema,
  type ClassifierConfig,
  type ClassifierPreset
} from '../../preload/contract'

/** One line each, shown under the preset choice. */
export const presetDescriptions: Record<ClassifierPreset, string> = {
  'small-cnn': 'The reference CNN: two conv layers and a dense head; fast, a good baseline.',
  'deep-cnn':
    'Two blocks of two conv layers with batch norm and dropout; much slower, usually a point or two better.',
  'resnet-small': 'Three residual stages; the strongest and slowest of the three.'
}

/** What the new-run form edits besides the config. */
export interface RunTarget {
  datasetId: number | null
  /** null: the dataset's own experiment (named after it; created when needed). */
  experimentId: number | null
  name: string
}

/** What augment and cas add to a classifier's settings: whose images, and how many. */
export interface SyntheticForm {
  /** augment, cas: the generator run; self-train: the vae-graph run. */
  generatorRunId: number | null
  syntheticRatio: number
  /** self-train: the share of each class's graph labels it learns from. */
  pseudoLabelShare: number
}

/** Another run's source run, ratio and share (re-running one), else none, 1 and 0.5. */
export function restoreSynthetic(raw: unknown): SyntheticForm {
  const r = isObject(raw) ? raw : {}
  const id = r.generatorRunId
  const ratio = r.syntheticRatio
  const share = r.pseudoLabelShare
  return {
    generatorRunId: typeof id === 'number' && Number.isInteger(id) && id > 0 ? id : null,
    syntheticRatio: typeof ratio === 'number' && ratio > 0 && ratio <= 20 ? ratio : 1,
    pseudoLabelShare: typeof share === 'number' && share >= 0 && share <= 1 ? share : 0.5
  }
}

export const defaultConfig = (): ClassifierConfig => classifierConfigSchema.parse({})

/** Which optional fields matter for the chosen optimizer and schedule (the rest are hidden). */
export function relevantFields(config: Pick<ClassifierConfig, 'optimizer' | 'schedule'>): {
  weightDecay: boolean
  momentum: boolean
  step: boolean
  warmup: boolean
} {
  return {
    weightDecay: config.optimizer === 'adamw' || config.optimizer === 'sgd',
    momentum: config.optimizer === 'sgd',
    step: config.schedule === 'step',
    warmup: config.schedule === 'one-cycle'
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** `value`'s keys that `defaults` has, over the defaults. */
function known<T extends object>(defaults: T, value: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) }
  for (const key of Object.keys(defaults)) if (key in value) out[key] = value[key]
  return out as T
}

/**
 * A config from storage or another run, made valid: unknown keys are dropped and every field that
 * no longer validates falls back to its default, so a schema change never breaks the form.
 */
export function restoreConfig(raw: unknown): ClassifierConfig {
  const defaults = defaultConfig()
  if (!isObject(raw)) return defaults
  const merged: Record<string, unknown> = { ...defaults }
  for (const key of Object.keys(defaults)) {
    if (!(key in raw)) continue
    const value = raw[key]
    merged[key] =
      key === 'augmentation' && isObject(value) ? known(defaults.augmentation, value) : value
  }
  // Optional, so the defaults have no such key: a fine-tuned run's start is kept when re-run.
  if (typeof raw.initFrom === 'string' && raw.initFrom) merged.initFrom = raw.initFrom
  for (let attempt = 0; attempt < 3; attempt++) {
    const parsed = classifierConfigSchema.safeParse(merged)
    if (parsed.success) return parsed.data
    for (const issue of parsed.error.issues) {
      const [top, nested] = issue.path.map(String)
      if (top === 'augmentation' && nested !== undefined) {
        const aug = merged.augmentation as Record<string, unknown>
        if (nested in defaults.augmentation)
          aug[nested] = defaults.augmentation[nested as keyof typeof defaults.augmentation]
        else delete aug[nested]
      } else if (top !== undefined) {
        merged[top] = defaults[top as keyof ClassifierConfig]
      }
    }
  }
  return defaults
}

/** One sentence a person can act on, for an issue of a number, enum or boolean field. */
export function issueText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'int') return 'Must be a whole number.'
      return issue.expected === 'number' ? 'Enter a number.' : `Expected a ${issue.expected}.`
    case 'too_small':
      return issue.inclusive
        ? `Must be at least ${issue.minimum}.`
        : `Must be greater than ${issue.minimum}.`
    case 'too_big':
      return issue.inclusive
        ? `Must be at most ${issue.maximum}.`
        : `Must be less than ${issue.maximum}.`
    case 'invalid_value':
      return `Choose one of: ${issue.values.map(String).join(', ')}.`
    default:
      return issue.message
  }
}

/** Field names as the form labels them, for the error summary. */
const fieldLabels: Record<string, string> = {
  datasetId: 'Dataset',
  name: 'Name',
  seed: 'Seed',
  preset: 'Model',
  optimizer: 'Optimizer',
  learningRate: 'Learning rate',
  weightDecay: 'Weight decay',
  momentum: 'Momentum',
  schedule: 'Schedule',
  stepEpochs: 'Step every',
  stepGamma: 'Step factor',
  warmupFraction: 'Warm-up fraction',
  batchSize: 'Batch size',
  epochs: 'Epochs',
  earlyStoppingPatience: 'Early-stopping patience',
  normalisation: 'Normalisation',
  classWeights: 'Class weights',
  labelsPerClass: 'Labels per class',
  initFrom: 'Start from an exported model',
  'augmentation.cropPadding': 'Crop padding',
  'augmentation.rotateDegrees': 'Rotation',
  'augmentation.brightness': 'Brightness',
  'augmentation.contrast': 'Contrast',
  'augmentation.cutout': 'Cutout',
  // Generative recipes (their form labels come from generativeForm's fieldInfo).
  recipe: 'Recipe',
  latentDim: 'Latent size',
  width: 'Width',
  discriminatorLearningRate: 'Learning rate D',
  beta1: 'Adam β1',
  beta2: 'Adam β2',
  labelSmoothing: 'Label smoothing',
  instanceNoise: 'Instance noise',
  gradientPenalty: 'Gradient penalty λ',
  criticSteps: 'Critic steps',
  klWeight: 'KL weight β',
  decoder: 'Decoder',
  featureWeight: 'Feature weight',
  snapshotsPerEpoch: 'Snapshots per epoch',
  scoreSamples: 'Score samples',
  importanceSamples: 'Importance samples',
  oodQuantile: 'OOD quantile',
  unsupervisedWeight: 'Unsupervised weight',
  // Classifiers on generated images.
  generatorRunId: 'Generator run',
  syntheticRatio: 'Synthetic ratio',
  // The label-budget planner.
  recipes: 'Recipes',
  budgets: 'Budgets',
  seeds: 'Seeds',
  steps: 'Steps per run',
  runOn: 'Run on'
}

export const fieldLabel = (path: string): string => fieldLabels[path] ?? path

/** Field errors keyed by dotted path (`learningRate`, `augmentation.cutout`), first issue wins. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.') || 'config'
    errors[path] ??= issueText(issue)
  }
  return errors
}

const storageKey = 'dgmw.newRun.last'

export interface RememberedRun {
  datasetId?: number
  config: ClassifierConfig
}

/** The last submitted form, so re-running with one change is one change away. */
export function loadRemembered(storage: Pick<Storage, 'getItem'>): RememberedRun {
  try {
    const raw = JSON.parse(storage.getItem(storageKey) ?? 'null') as unknown
    if (!isObject(raw)) return { config: defaultConfig() }
    const config = restoreConfig(raw.config)
    // A fine-tuning start belongs to one run: a new run should not silently inherit it.
    delete config.initFrom
    return {
      datasetId: typeof raw.datasetId === 'number' ? raw.datasetId : undefined,
      config
    }
  } catch {
    return { config: defaultConfig() }
  }
}

export function saveRemembered(storage: Pick<Storage, 'setItem'>, run: RememberedRun): void {
  try {
    storage.setItem(storageKey, JSON.stringify(run))
  } catch {
    // Storage full or disabled (private mode): remembering is a convenience, not a requirement.
  }
}
