/**
 * The one contract between the renderer and main: every request (name, argument schema, reply type)
 * and every event main pushes. Main, preload and renderer all import this module and nothing else
 * crosses between them. Main validates every incoming argument with these schemas; the reply types
 * are compile-time only (main produces them, so they need no runtime check).
 */
import { z } from 'zod'

/** Carries a reply type into the request table; it has no runtime value. */
function reply<T>(): T {
  return undefined as T
}

export const runStatuses = [
  'queued',
  'running',
  'paused',
  'completed',
  'stopped',
  'failed',
  'interrupted'
] as const
export type RunStatus = (typeof runStatuses)[number]

/** Statuses of a run that has not ended: a process owns it (queued, training or paused). */
export const liveRunStatuses: readonly RunStatus[] = ['queued', 'running', 'paused']
/** Whether a run with this status has not ended yet. */
export const isLiveStatus = (status: string): boolean =>
  (liveRunStatuses as readonly string[]).includes(status)

/** Tensor backends in the order the engine tries them (see docs/compute). */
export const backendNames = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const
export type BackendName = (typeof backendNames)[number]

/** A WebGPU adapter as Dawn describes it (the `webgpu` rung). */
export interface GpuAdapterReport {
  vendor: string
  architecture: string
  device: string
  description: string
  /** The adapter says it is a fallback (usually a CPU emulation). */
  fallback: boolean
  /** A CPU emulation (SwiftShader, llvmpipe, lavapipe, …): `auto` never picks it. */
  software: boolean
  /** Bytes: the largest buffer, and the largest one a kernel may bind. */
  maxBufferSize: number
  maxStorageBufferBindingSize: number
  /** How it was chosen when not by preference (`--gpu NAME`). */
  selectedBy?: string
}

export interface BackendRung {
  name: BackendName
  /** npm package that provides it. */
  package: string
  /** Whether it loaded (only the chosen rung and those above it are tried). */
  loaded: boolean
  /** Why it did not load, or was not tried, in words a person can act on. */
  reason?: string
  /** Package version, when installed. */
  version?: string
  /** The `webgpu` rung: the adapter it found, used or not. */
  adapter?: GpuAdapterReport
}

export interface EngineStatus {
  state: 'starting' | 'ready' | 'failed'
  /** The backend every run uses until the engine restarts. */
  active?: BackendName
  /** Set when a setting or `--backend` forced the choice. */
  forced?: BackendName
  /** What forced it: the `--backend` flag / DGMW_BACKEND, or the setting saved from the UI. */
  forcedBy?: 'flag' | 'setting'
  rungs: BackendRung[]
  threads: number
  /** The GPU adapter in use when `active` is `webgpu`. */
  gpu?: GpuAdapterReport
  error?: string
}

export interface AppInfo {
  version: string
  /** Whether main can show native dialogs (the desktop app) or not (browser mode). */
  nativeDialogs: boolean
  dataDir: string
  databasePath: string
  platform: string
  node: string
  electron?: string
}

export interface DoctorReport {
  app: { version: string; node: string; platform: string; arch: string }
  electron: { version?: string; binary?: string; usable: boolean; reason?: string }
  cpu: { model: string; threads: number; memoryGiB: number }
  gpu: { nvidiaSmi?: string; cudaLibraries: { name: string; path?: string }[] }
  engine: EngineStatus
  dataDir: {
    path: string
    writable: boolean
    databasePath: string
    /** The database with its -wal and -shm files (all it takes on disk). */
    databaseBytes: number
    databaseFiles?: { path: string; bytes: number }[]
  }
}

export interface DatasetSummary {
  id: number
  name: string
  kind: string
  sourcePath: string | null
  imageCount: number
  classNames: string[]
  width: number | null
  height: number | null
  channels: number | null
  createdAt: string
}

export type SkipReason = 'empty' | 'not-image' | 'corrupt' | 'too-large' | 'unreadable'
export type SplitName = 'train' | 'val' | 'test'

/** A file the import did not use, and why. */
export interface SkippedFile {
  /** Relative to the imported root, forward slashes. */
  path: string
  reason: SkipReason
  detail: string
}

export interface DuplicateGroup {
  paths: string[]
  /** True when every copy is in one class (one copy is used); false for conflicting labels (none used). */
  sameClass: boolean
}

/** The cleaning report of an import: every file found is either imported or listed. */
export interface ImportReport {
  dataset: DatasetSummary & { size: number; cacheFile: string }
  classes: { name: string; count: number }[]
  splits: Record<SplitName, number>
  imported: number
  skipped: SkippedFile[]
  duplicates: DuplicateGroup[]
  warnings: string[]
}

export interface DatasetDetail extends DatasetSummary {
  fit: string
  /** Images per class and split: counts[label][split]. */
  classCounts: Record<SplitName, number>[]
  splits: Record<SplitName, number>
  skipped: SkippedFile[]
  duplicates: DuplicateGroup[]
  warnings: string[]
}

export interface DatasetImage {
  idx: number
  path: string
  label: number | null
  split: SplitName
}

/** Cached pixels of some images, concatenated in the order asked, base64-encoded. */
export interface ImagePixels {
  width: number
  height: number
  channels: number
  data: string
}

export interface ExperimentSummary {
  id: number
  /** 'runs': a folder of runs; 'label-budget': a planned grid of runs (LabelBudgetResult). */
  kind: 'runs' | 'label-budget'
  name: string
  datasetId: number | null
  datasetName: string | null
  runCount: number
  createdAt: string
}

/** Headline numbers of a run, kept on the run row so a table of thousands lists fast. */
export interface RunHeadline {
  /** Accuracy on the dataset's test split after training (or the last on-demand evaluation). */
  testAccuracy?: number
  valAccuracy?: number
  valLoss?: number
  trainLoss?: number
  trainAccuracy?: number
  /** Epochs finished, of `epochs` planned. */
  epochsDone?: number
  epochs?: number
  imagesPerSecond?: number
  /** Epoch whose weights the run kept (early stopping keeps the best one). */
  bestEpoch?: number
  /** Generative runs: FD (dataset classifier) of the final and of the untrained generator. */
  fd?: number
  fdUntrained?: number
  /** Classifier run behind `fd` / `classifierScore`, and behind `fdUntrained` (scores from different evaluators do not compare). */
  evaluatorRunId?: number
  fdUntrainedEvaluatorRunId?: number
  classifierScore?: number
  conditionalAccuracy?: number
  /** Generative Bayes classifier: share of test images flagged out-of-distribution. */
  oodRate?: number
  /** Augment runs: the same classifier trained on real images only (the comparison). */
  realOnlyRunId?: number
  /** Runs with a label budget: labelled training images it learnt from. */
  labelledImages?: number
  /** Optimisation steps the run was planned to take, and how (said before it starts). */
  plannedSteps?: number
  trainingLength?: string
  /** Generative runs: what the researcher should know (discriminator winning, mode collapse). */
  warnings?: string[]
  /**
   * While it trains: its latest progress, written about once a second so that another process on
   * the same data directory (the UI beside a CLI run) can relay it; removed when the run ends.
   */
  progress?: RunProgress | null
}

/** A training run's latest progress, as its `train/progress` event carries it (less the run id). */
export interface RunProgress {
  epoch: number
  epochs: number
  step: number
  totalSteps: number
  metrics: Record<string, number>
  imagesPerSecond: number
  elapsedSeconds: number
  etaSeconds: number | null
}

/** One fixed-noise sample grid of a generative run (a frame of its timelapse). */
export interface SampleGridInfo {
  step: number
  /** Epochs done when it was taken (fractional within an epoch; 0 before training). */
  epoch: number
  rows: number
  cols: number
}

/** Generated images: pixels as in ImagePixels, the class each was asked for (or null), and how. */
export interface GeneratedImages extends ImagePixels {
  count: number
  labels: (number | null)[]
  seed: number
}

export interface RunSummary {
  id: number
  name: string | null
  experimentId: number | null
  datasetId: number | null
  /** "clothes (deleted)" once the dataset is deleted (then datasetId is null). */
  datasetName: string | null
  /** True when the run's dataset was deleted: its results stay, it cannot train again. */
  datasetDeleted?: boolean
  /** Queued, running or paused in another process (a CLI, another server): controlled there. */
  trainedElsewhere?: boolean
  recipe: string
  seed: number
  backend: string | null
  status: RunStatus
  createdAt: string
  startedAt: string | null
  endedAt: string | null
  error: string | null
  tags: string[]
  notes: string | null
  headline: RunHeadline
}

export interface MetricPoint {
  step: number
  epoch: number | null
  value: number
}

export interface RunDetail extends RunSummary {
  config: Record<string, unknown>
  /** App version (and git commit when known) that ran it. */
  codeVersion: string | null
  /** Class names of the run's dataset, in label order. */
  classNames: string[]
  /** Whether a checkpoint exists to resume from (or evaluate / export). */
  hasCheckpoint: boolean
  metrics: Record<string, MetricPoint[]>
  artifacts: { kind: string; path: string; sha256: string; bytes: number }[]
}

/** On-the-fly augmentation of a run (and of the preview): every field has an 'off' default. */
export const augmentationSchema = z.strictObject({
  flip: z.boolean().default(false),
  /** Pad by this many zero pixels, then crop back at a random offset. */
  cropPadding: z.number().int().min(0).max(16).default(0),
  /** Largest rotation either way, in degrees. */
  rotateDegrees: z.number().min(0).max(45).default(0),
  /** Brightness shifted by up to ±this fraction of the range; contrast scaled by 1 ± contrast. */
  brightness: z.number().min(0).max(1).default(0),
  contrast: z.number().min(0).max(1).default(0),
  /** Side of a square zeroed at a random place (0: off). */
  cutout: z.number().int().min(0).max(64).default(0)
})
export type Augmentation = z.output<typeof augmentationSchema>

export const classifierPresets = ['small-cnn', 'deep-cnn', 'resnet-small'] as const
export type ClassifierPreset = (typeof classifierPresets)[number]
export const optimizerNames = ['adam', 'adamw', 'sgd'] as const
export const scheduleNames = ['constant', 'step', 'cosine', 'one-cycle'] as const
/** Generative recipes: GANs, VAEs and their hybrid (see main/engine/models/generative). */
export const generativeRecipes = [
  'dcgan',
  'cgan',
  'acgan',
  'wgan-gp',
  'vae',
  'cvae',
  'vaegan',
  'sgan',
  'gen-bayes',
  'vae-graph'
] as const
export type GenerativeRecipe = (typeof generativeRecipes)[number]
/**
 * Classifiers that learn from a generative run's output (main/runs/generatedDataRuns.ts): `augment`
 * trains on real images plus a conditional generator's, `cas` on generated images only (Ravuri &
 * Vinyals 2019's Classification Accuracy Score), `self-train` on the labelled images plus those a
 * vae-graph run labelled confidently (main/runs/selfTraining.ts).
 */
export const syntheticRecipes = ['augment', 'cas', 'self-train'] as const
export type SyntheticRecipe = (typeof syntheticRecipes)[number]
export const recipeNames = ['classifier', ...generativeRecipes, ...syntheticRecipes] as const
export type RecipeName = (typeof recipeNames)[number]
/** Recipes whose generator takes a class label (class-conditional grids, per-class samples). */
export const conditionalRecipes: readonly GenerativeRecipe[] = [
  'cgan',
  'acgan',
  'cvae',
  'gen-bayes'
]
/**
 * Generative recipes that are also classifiers: SGAN's and ACGAN's discriminators, and the
 * generative Bayes classifier (a cVAE's class-conditional likelihoods). Their runs end with the
 * same evaluation as a classifier's.
 */
export const classifyingGenerativeRecipes: readonly GenerativeRecipe[] = [
  'sgan',
  'acgan',
  'gen-bayes',
  'vae-graph'
]
/** Every recipe whose run ends with a test-split evaluation (accuracy, confusion matrix). */
export const classifyingRecipes: readonly string[] = [
  'classifier',
  ...classifyingGenerativeRecipes,
  ...syntheticRecipes
]
export const isGenerative = (recipe: string): recipe is GenerativeRecipe =>
  (generativeRecipes as readonly string[]).includes(recipe)
export const isSynthetic = (recipe: string): recipe is SyntheticRecipe =>
  (syntheticRecipes as readonly string[]).includes(recipe)
export const isVae = (recipe: string): boolean =>
  ['vae', 'cvae', 'vaegan', 'gen-bayes', 'vae-graph'].includes(recipe)

/** Everything that decides a classifier run; stored whole with the run. */
export const classifierConfigSchema = z.strictObject({
  /**
   * small-cnn: the reference CNN; deep-cnn: 2 blocks of two convolutions with batch norm and
   * dropout; resnet-small: 3 residual stages.
   */
  preset: z.enum(classifierPresets).default('small-cnn'),
  optimizer: z.enum(optimizerNames).default('adam'),
  /** The base (constant/step/cosine) or peak (one-cycle) learning rate. */
  learningRate: z.number().positive().max(10).default(1e-3),
  /** Decoupled decay for AdamW; L2-style decay for SGD; ignored by Adam. */
  weightDecay: z.number().min(0).max(1).default(0),
  /** SGD momentum (Nesterov off). */
  momentum: z.number().min(0).max(0.999).default(0.9),
  schedule: z.enum(scheduleNames).default('constant'),
  /** Step schedule: multiply the rate by `stepGamma` every `stepEpochs` epochs. */
  stepEpochs: z.number().int().min(1).max(1000).default(2),
  stepGamma: z.number().positive().max(1).default(0.1),
  /** One-cycle: fraction of the steps spent warming up to the peak rate. */
  warmupFraction: z.number().min(0).max(0.9).default(0.3),
  batchSize: z.number().int().min(1).max(4096).default(64),
  epochs: z.number().int().min(1).max(1000).default(5),
  /**
   * The fewest optimisation steps the run takes: epochs are raised to reach it (up to 1,000).
   * Default: 2,000 with a label budget (an epoch of 100 images is 2 steps), else none
   * (preload/trainingLength.ts).
   */
  minSteps: z.number().int().min(0).max(1_000_000).optional(),
  augmentation: augmentationSchema.default(augmentationSchema.parse({})),
  normalisation: z.enum(['unit', 'standardize']).default('unit'),
  /** Stop when validation loss has not improved for this many epochs, keeping the best weights (0: off). */
  earlyStoppingPatience: z.number().int().min(0).max(1000).default(0),
  /** Weight the loss by inverse class frequency of the training split (for imbalanced data). */
  classWeights: z.boolean().default(false),
  /**
   * Label budget: train on only this many labelled images per class, drawn stratified from the
   * training split with the seed (0: every label). Validation and test splits are untouched.
   */
  labelsPerClass: z.number().int().min(0).max(1_000_000).default(0),
  /**
   * Fine-tuning: start from the weights of a model exported in TF.js format (its folder), instead
   * of a random initialisation. The preset must match; a different class count re-initialises only
   * the last layer (the logits).
   */
  initFrom: z.string().min(1).max(4096).optional(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0)
})
export type ClassifierConfig = z.output<typeof classifierConfigSchema>

/** A classifier that learns from a conditional generator run's images too (augment) or only (cas). */
export const syntheticConfigSchema = classifierConfigSchema.extend({
  /**
   * augment, cas: the conditional generator run (cgan, acgan, cvae, gen-bayes) whose latest
   * weights generate. self-train: the vae-graph run whose propagated labels it learns from (its
   * label budget and seed are the self-trained run's too).
   */
  generatorRunId: z.number().int().positive(),
  /**
   * self-train: the share of each class's graph-labelled training images it learns from, the
   * most confident first (largest margin of the propagated scores).
   */
  pseudoLabelShare: z.number().min(0).max(1).default(0.5),
  /**
   * Generated images per real training image (augment: added to them; cas: instead of them),
   * balanced over the classes.
   */
  syntheticRatio: z.number().positive().max(20).default(1)
})
export type SyntheticConfig = z.output<typeof syntheticConfigSchema>

/**
 * Everything that decides a generative run. Fields left out take the recipe's default
 * (`generativeDefaults`), and the run stores the filled-in config.
 */
export const generativeConfigSchema = z.strictObject({
  /** Size of the latent code z (2 lets a VAE's latent map show the latent itself). */
  latentDim: z.number().int().min(2).max(512).optional(),
  /** Channels of the first convolution; the networks double them at each resolution. */
  width: z.number().int().min(8).max(256).optional(),
  batchSize: z.number().int().min(2).max(1024).optional(),
  epochs: z.number().int().min(1).max(1000).optional(),
  /** The fewest optimisation steps the run takes (as a classifier's `minSteps`). */
  minSteps: z.number().int().min(0).max(1_000_000).optional(),
  /** Generator (or VAE) learning rate. */
  learningRate: z.number().positive().max(1).optional(),
  /** Discriminator/critic learning rate (TTUR: a different rate for each network). */
  discriminatorLearningRate: z.number().positive().max(1).optional(),
  /** Adam's β1 (0.5 for GANs, as DCGAN; 0.9 for VAEs) and β2. */
  beta1: z.number().min(0).max(0.999).optional(),
  beta2: z.number().min(0).max(0.9999).optional(),
  /** One-sided label smoothing: real images get target 1 − this. */
  labelSmoothing: z.number().min(0).max(0.5).optional(),
  /** Gaussian noise of this σ added to D's inputs, fading linearly to 0 over the run. */
  instanceNoise: z.number().min(0).max(1).optional(),
  /** WGAN-GP's λ. */
  gradientPenalty: z.number().min(0).max(1000).optional(),
  /** WGAN-GP: critic steps per generator step. */
  criticSteps: z.number().int().min(1).max(20).optional(),
  /** VAE: β, the weight of the KL term. */
  klWeight: z.number().min(0).max(100).optional(),
  /** VAE decoder likelihood: Bernoulli (cross-entropy) or Gaussian with σ = 0.1 (squared error). */
  decoder: z.enum(['bernoulli', 'gaussian']).optional(),
  /** VAE-GAN: weight of the discriminator-feature reconstruction term against the GAN term. */
  featureWeight: z.number().min(0).max(100).optional(),
  /** Fixed-noise sample grids taken per epoch (the timelapse's frames), besides one at step 0. */
  snapshotsPerEpoch: z.number().int().min(1).max(20).optional(),
  /** Classifier run whose features measure the generator (default: the dataset's best one). */
  evaluatorRunId: z.number().int().positive().optional(),
  /** Generated and real images each used for the scores. */
  scoreSamples: z.number().int().min(100).max(50_000).optional(),
  /**
   * Label budget (sgan, acgan, gen-bayes, cgan, cvae): learn from this many labelled images per
   * class, drawn stratified with the seed; SGAN also learns from the rest of the training split,
   * unlabelled. 0: every label.
   */
  labelsPerClass: z.number().int().min(0).max(1_000_000).optional(),
  /**
   * Generative Bayes classifier: samples of the importance-weighted bound on log p(x|c) (Burda et
   * al. 2016); 1 is the ELBO.
   */
  importanceSamples: z.number().int().min(1).max(256).optional(),
  /**
   * Generative Bayes classifier: the share of validation images allowed to fall below the
   * out-of-distribution threshold on max_c log p(x|c) (the threshold is that quantile).
   */
  oodQuantile: z.number().min(0).max(0.5).optional(),
  /**
   * SGAN's networks: `dcgan`, the convolutional ones every GAN here uses, or `mlp-wn`, the paper's
   * MNIST model (weight-normalised MLP discriminator with noise, MLP generator; sganMlp.ts).
   */
  arch: z.enum(['dcgan', 'mlp-wn']).optional(),
  /** vae-graph: neighbours of each latent mean in the label-propagation graph (k). */
  neighbours: z.number().int().min(2).max(100).optional(),
  /**
   * vae-graph: how labels spread over the graph — Poisson learning (Calder et al. 2020, robust at
   * very low label rates) or Laplace learning (Zhu et al. 2003).
   */
  propagation: z.enum(['poisson', 'laplace']).optional(),
  /** SGAN: weight of the unsupervised (real vs fake) term against the supervised one. */
  unsupervisedWeight: z.number().min(0).max(100).optional(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional()
})
export type GenerativeConfigInput = z.output<typeof generativeConfigSchema>
export type GenerativeConfig = Required<
  Omit<GenerativeConfigInput, 'evaluatorRunId' | 'minSteps'>
> &
  Pick<GenerativeConfigInput, 'evaluatorRunId' | 'minSteps'>

/** Defaults that make recognisable Fashion-MNIST samples within a few CPU epochs. */
export function generativeDefaults(
  recipe: GenerativeRecipe,
  arch: 'dcgan' | 'mlp-wn' = 'dcgan'
): Omit<GenerativeConfig, 'evaluatorRunId' | 'minSteps'> {
  if (recipe === 'sgan' && arch === 'mlp-wn')
    // Salimans et al.'s MNIST settings: z of 100, batch 100, Adam 3e-3 with β1 0.5 for both
    // networks (their 300 epochs are a GPU job; 5 keep a CPU run to minutes).
    return {
      ...generativeDefaults('sgan'),
      arch,
      latentDim: 100,
      batchSize: 100,
      learningRate: 3e-3,
      discriminatorLearningRate: 3e-3,
      beta1: 0.5
    }
  const vae = isVae(recipe) && recipe !== 'vaegan'
  // vae-graph follows Calder et al.'s VAE: 20 latent dimensions, batch 128 (see vaeGraph.ts).
  const graph = recipe === 'vae-graph'
  return {
    latentDim: graph ? 20 : vae ? 16 : 64,
    width: 32,
    batchSize: graph ? 128 : 64,
    epochs: graph ? 10 : 5,
    learningRate: vae ? 1e-3 : 2e-4,
    discriminatorLearningRate: 2e-4,
    beta1: vae ? 0.9 : recipe === 'wgan-gp' ? 0 : 0.5,
    beta2: recipe === 'wgan-gp' ? 0.9 : 0.999,
    labelSmoothing: 0,
    gradientPenalty: 10,
    criticSteps: recipe === 'wgan-gp' ? 5 : 1,
    klWeight: 1,
    decoder: 'bernoulli',
    featureWeight: 1,
    snapshotsPerEpoch: recipe === 'gen-bayes' || graph ? 1 : 4,
    scoreSamples: 2000,
    labelsPerClass: 0,
    importanceSamples: 1,
    oodQuantile: 0.01,
    unsupervisedWeight: 1,
    arch: 'dcgan',
    neighbours: 10,
    propagation: 'poisson',
    // SGAN follows Salimans et al.: Gaussian noise on D's inputs (σ = 0.3 in their MNIST model).
    instanceNoise: recipe === 'sgan' ? 0.3 : 0,
    seed: 0
  }
}

export function resolveGenerativeConfig(
  recipe: GenerativeRecipe,
  config: GenerativeConfigInput
): GenerativeConfig {
  const filled: Record<string, unknown> = { ...generativeDefaults(recipe, config.arch) }
  for (const [key, value] of Object.entries(config)) if (value !== undefined) filled[key] = value
  return filled as GenerativeConfig
}

/** How a generator is measured in the feature space of a classifier trained on the same data. */
export interface GeneratorScores {
  /** Classifier run whose penultimate-layer features and predictions are used. */
  evaluatorRunId: number
  /** Fréchet distance between real (test split) and generated features: "FD (dataset classifier)". */
  fd: number
  /** Inception-Score-style exp E[KL(p(y|x) ‖ p(y))] from the same classifier (1 … classes). */
  classifierScore: number
  /** Conditional recipes: share of class-c samples the classifier calls c, overall and per class. */
  conditionalAccuracy?: number
  perClassAccuracy?: number[]
  samples: number
  step: number
}

/** Accuracy and its breakdown on a dataset split, stored with the run. */
export interface Evaluation {
  runId: number
  split: SplitName
  /** Images evaluated. */
  count: number
  accuracy: number
  loss: number
  labels: string[]
  /** confusion[true][predicted] = count. */
  confusion: number[][]
  perClass: { label: string; precision: number; recall: number; f1: number; support: number }[]
  macro: { precision: number; recall: number; f1: number }
  /**
   * Generative Bayes classifier: images whose best class likelihood max_c log p(x|c) fell below
   * the threshold calibrated on validation images (the `quantile` of theirs).
   */
  outOfDistribution?: OutOfDistribution
  createdAt: string
}

export interface OutOfDistribution {
  /** Threshold on max_c log p(x|c), in nats. */
  threshold: number
  quantile: number
  /** Validation images it was calibrated on. */
  calibrationImages: number
  /** Evaluated images below it. */
  flagged: number
  /** The flagged images' dataset indices (at most 1,000, least likely first). */
  flaggedIndices: number[]
}

/** One evaluated image: dataset index, true and predicted label, and the predicted class's probability. */
export interface Prediction {
  idx: number
  label: number
  predicted: number
  confidence: number
}

/** Formats a run exports to: TF.js Layers (model.json + weight shards) or ONNX (opset 13). */
export const exportFormats = ['tfjs', 'onnx'] as const
export type ExportFormat = (typeof exportFormats)[number]

/** One network written by an export, and how it was checked. */
export interface ExportedNetwork {
  /** classifier (outputs probabilities), generator (noise [+ one-hot class] → image), encoder, decoder. */
  role: 'classifier' | 'generator' | 'encoder' | 'decoder'
  /** Relative to the export folder: `model.json` or `model.onnx` (or `encoder/…`). */
  file: string
  inputShape: (number | null)[]
  outputShape: (number | null)[][]
  /** What goes in and comes out, in words (layout, range, order). */
  input: string
  output: string
  /** What the exported file, opened by a runtime we did not write, gave on the check inputs. */
  verification: {
    runtime: string
    inputs: string
    count: number
    /** Largest |difference| from the workbench's own outputs. */
    maxDifference: number
    tolerance: number
    /** Classifiers: how many top-1 classes agree (out of `count`). */
    sameTop1?: number
  }
}

export interface ExportReport {
  runId: number
  format: ExportFormat
  /** The export folder (absolute). */
  path: string
  /** Every file written, relative to `path`. */
  files: string[]
  bytes: number
  networks: ExportedNetwork[]
  /** An existing folder was replaced (--force or the user's confirmation). */
  replaced: boolean
  seconds: number
}

/** One predicted image (input order is kept). */
export interface ImagePrediction {
  path: string
  top1: string
  top1Index: number
  probability: number
  topK: { label: string; index: number; probability: number }[]
  /** Generative Bayes classifier: max_c log p(x|c) fell below the run's calibrated threshold. */
  outOfDistribution?: boolean
}

export interface PredictReport {
  /** What predicted: a run, or an exported TF.js folder. */
  source: { runId: number; name: string } | { exportDir: string; name: string }
  labels: string[]
  predictions: ImagePrediction[]
  /** Files that were not predicted, with the reason (the same reasons as a dataset import). */
  skipped: SkippedFile[]
  /** The model's input images as it saw them (decoded, resized), in `predictions` order. */
  thumbnails: ImagePixels & { count: number }
  /** Generative Bayes classifier: the threshold the flags come from. */
  outOfDistribution?: { threshold: number; quantile: number; flagged: number }
}

/** What a run or an exported folder predicts from: one of the two. */
export const predictSourceSchema = z.union([
  z.strictObject({ runId: z.number().int().positive() }),
  z.strictObject({ exportDir: z.string().min(1).max(4096) })
])

/** What an exported folder's metadata.json says (the app reads it back for predict and fine-tune). */
export interface ExportedModelInfo {
  path: string
  name: string
  recipe: string
  labels: string[]
  input: { height: number; width: number; channels: number }
  /** Whether a classifier is inside (prediction needs one; fine-tuning a TF.js one). */
  canPredict: boolean
  modelFormat: ExportFormat
  preset: ClassifierPreset | null
  metrics: Record<string, number | null>
}

const noArgs = z.strictObject({})
const id = z.number().int().positive()
const splitName = z.enum(['train', 'val', 'test'])

const runPlace = {
  datasetId: id,
  experimentId: id.optional(),
  name: z.string().min(1).max(120).optional()
}

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
  generatorRunId: id.optional()
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

const generateArgs = z.strictObject({
  id,
  n: z.number().int().min(1).max(1024).default(64),
  /** Conditional recipes: the class to generate (default: classes in turn). */
  classLabel: z.number().int().min(0).optional(),
  seed: z.number().int().min(0).default(0),
  /** Walk a straight line between two random codes instead of drawing independent ones. */
  interpolate: z.boolean().default(false)
})

const runStartArgs = z.union([
  z.strictObject({
    ...runPlace,
    recipe: z.literal('classifier').default('classifier'),
    config: classifierConfigSchema.default(classifierConfigSchema.parse({}))
  }),
  z.strictObject({
    ...runPlace,
    recipe: z.enum(generativeRecipes),
    config: generativeConfigSchema.default({})
  }),
  z.strictObject({
    ...runPlace,
    recipe: z.enum(syntheticRecipes),
    config: syntheticConfigSchema
  })
])

/** A run's plan before it starts. */
export interface RunPreview {
  /** Optimisation steps, and how they come about (epochs × batches, raised to a minimum). */
  plannedSteps: number
  trainingLength: string
  /** How long it takes on this machine, from a measured speed; `unavailable` says why not. */
  estimate?: RunEstimate | { unavailable: string }
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

/** Planned training time from the speed measured on this machine and backend. */
export interface RunEstimate {
  seconds: number
  runs: number
  /** "45 runs ≈ 6 h 20 min on wasm · 2 threads". */
  text: string
  /** "measured from run #12", "measured just now". */
  source: string
}

export const requests = {
  'app/info': { args: noArgs, reply: reply<AppInfo>() },
  'engine/status': { args: noArgs, reply: reply<EngineStatus>() },
  /** Saves the backend choice and restarts the engine with it; replies with the new status. */
  'engine/setBackend': {
    args: z.strictObject({ backend: z.enum(['auto', ...backendNames]) }),
    reply: reply<EngineStatus>()
  },
  'doctor/report': { args: noArgs, reply: reply<DoctorReport>() },
  'datasets/list': { args: noArgs, reply: reply<DatasetSummary[]>() },
  /** Imports a folder or IDX/CIFAR files on the machine running main; progress as import/progress. */
  'datasets/import': {
    args: z.strictObject({
      path: z.string().min(1),
      importId: z.string().max(64).optional(),
      name: z.string().min(1).max(120).optional(),
      size: z.number().int().min(8).max(512).optional(),
      channels: z.union([z.literal(1), z.literal(3)]).optional(),
      fit: z.enum(['cover', 'contain']).optional(),
      unlabelled: z.boolean().optional(),
      seed: z.number().int().min(0).optional(),
      /**
       * When the folder was imported before: without this the import is refused ('conflict',
       * "already imported as dataset N"); 'reimport' imports it again as a new dataset, 'open'
       * replies with the existing dataset's report.
       */
      onExisting: z.enum(['reimport', 'open']).optional()
    }),
    reply: reply<ImportReport>()
  },
  /** The dataset already imported from this path (after ~ expansion), asked before importing. */
  'datasets/findImported': {
    args: z.strictObject({ path: z.string().min(1).max(4096) }),
    reply: reply<{ path: string; dataset: DatasetSummary | null }>()
  },
  'datasets/rename': {
    args: z.strictObject({ id, name: z.string().min(1).max(120) }),
    reply: reply<DatasetSummary>()
  },
  'datasets/get': { args: z.strictObject({ id }), reply: reply<DatasetDetail>() },
  'datasets/images': {
    args: z.strictObject({
      id,
      label: z.number().int().min(0).optional(),
      split: splitName.optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200)
    }),
    reply: reply<{ total: number; items: DatasetImage[] }>()
  },
  'datasets/pixels': {
    args: z.strictObject({ id, indices: z.array(z.number().int().min(0)).min(1).max(1000) }),
    reply: reply<ImagePixels>()
  },
  /** Deletes the dataset and its cache files; its runs keep their results ("name (deleted)"). */
  'datasets/delete': { args: z.strictObject({ id }), reply: reply<void>() },
  /** Augmented copies of a few training images, for the preview grid: per image, the original then the copies. */
  'datasets/augmentPreview': {
    args: z.strictObject({
      id,
      augmentation: augmentationSchema,
      images: z.number().int().min(1).max(8).default(4),
      copies: z.number().int().min(1).max(16).default(7),
      seed: z.number().int().min(0).default(0)
    }),
    /** One image of each of several classes (`labels`: each row's class), with its copies. */
    reply: reply<ImagePixels & { indices: number[]; labels: (number | null)[] }>()
  },
  /** Browser mode: files dropped in the browser are uploaded into the data directory, then imported. */
  'uploads/begin': {
    args: z.strictObject({ name: z.string().min(1).max(120) }),
    reply: reply<{ uploadId: string }>()
  },
  'uploads/file': {
    args: z.strictObject({
      uploadId: z.string().uuid(),
      path: z.string().min(1).max(1000),
      data: z.base64()
    }),
    reply: reply<void>()
  },
  'uploads/finish': {
    args: z.strictObject({ uploadId: z.string().uuid() }),
    reply: reply<{ path: string }>()
  },
  /** Removes a finished upload's files (images uploaded only to be predicted). */
  'uploads/discard': {
    args: z.strictObject({ path: z.string().min(1).max(4096) }),
    reply: reply<void>()
  },
  /** Desktop app only: the native save dialog, for an export folder. */
  'dialog/chooseSavePath': {
    args: z.strictObject({ defaultName: z.string().min(1).max(255) }),
    reply: reply<{ path: string | null }>()
  },
  /** Desktop app only: the native folder dialog. */
  'dialog/chooseFolder': { args: noArgs, reply: reply<{ path: string | null }>() },
  'experiments/list': { args: noArgs, reply: reply<ExperimentSummary[]>() },
  'runs/list': {
    args: z.strictObject({
      limit: z.number().int().min(1).max(100_000).optional(),
      status: z.enum(runStatuses).optional()
    }),
    reply: reply<RunSummary[]>()
  },
  'runs/get': { args: z.strictObject({ id }), reply: reply<RunDetail>() },
  /** Plans a label-budget experiment and queues all its runs; results fill in as they finish. */
  'experiments/labelBudget': { args: labelBudgetPlanSchema, reply: reply<LabelBudgetResult>() },
  /** How many runs a label-budget plan queues and how long they take here (nothing is queued). */
  'experiments/labelBudgetPreview': {
    args: labelBudgetPlanSchema,
    reply: reply<LabelBudgetPreview>()
  },
  'experiments/labelBudgetResult': {
    args: z.strictObject({ id }),
    reply: reply<LabelBudgetResult>()
  },
  'experiments/create': {
    args: z.strictObject({ name: z.string().min(1).max(120), datasetId: id }),
    reply: reply<ExperimentSummary>()
  },
  /**
   * Queues a run (it starts when the engine is free). Without an experiment, the dataset's default
   * experiment (named after it) is used, created if needed.
   */
  'runs/start': {
    args: runStartArgs,
    reply: reply<RunSummary>()
  },
  /** What `runs/start` would plan, without starting: how long the run trains, said up front. */
  'runs/preview': {
    args: runStartArgs,
    reply: reply<RunPreview>()
  },
  'runs/pause': { args: z.strictObject({ id }), reply: reply<void>() },
  /** A paused run continues; an interrupted, stopped or failed run is queued again from its last checkpoint. */
  'runs/resume': { args: z.strictObject({ id }), reply: reply<void>() },
  /** A queued run is dropped from the queue; a running one stops after its current step, keeping its checkpoint. */
  'runs/stop': { args: z.strictObject({ id }), reply: reply<void>() },
  'runs/update': {
    args: z.strictObject({
      id,
      name: z.string().max(120).nullable().optional(),
      tags: z.array(z.string().min(1).max(40)).max(20).optional(),
      notes: z.string().max(10_000).nullable().optional()
    }),
    reply: reply<RunSummary>()
  },
  /** Deletes the run, its metrics, evaluation and files. A live run must be stopped first. */
  'runs/delete': { args: z.strictObject({ id }), reply: reply<void>() },
  /** The stored evaluation on the test split, or null when there is none yet. */
  'runs/evaluation': { args: z.strictObject({ id }), reply: reply<Evaluation | null>() },
  /** Evaluates the run's saved weights on the test split again (waits for the engine). */
  'runs/evaluate': { args: z.strictObject({ id }), reply: reply<Evaluation>() },
  /**
   * Evaluated test images, most confident first: one confusion-matrix cell (label → predicted),
   * every wrong one (`wrong`), or all.
   */
  'runs/predictions': {
    args: z.strictObject({
      id,
      label: z.number().int().min(0).optional(),
      predicted: z.number().int().min(0).optional(),
      wrong: z.boolean().optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200)
    }),
    reply: reply<{ total: number; items: Prediction[] }>()
  },
  /** The fixed-noise grids a generative run took, oldest first (its timelapse). */
  'runs/sampleGrids': { args: z.strictObject({ id }), reply: reply<SampleGridInfo[]>() },
  /** One grid as a PNG, base64-encoded. */
  'runs/sampleGrid': {
    args: z.strictObject({ id, step: z.number().int().min(0) }),
    reply: reply<SampleGridInfo & { png: string }>()
  },
  /**
   * New samples from the run's latest weights: `n` images (of one class, for conditional recipes),
   * deterministic for the seed; or, with `interpolate`, `n` images along a line between two codes.
   */
  'runs/generate': {
    args: generateArgs,
    reply: reply<GeneratedImages>()
  },
  /** Writes samples to disk as a PNG grid (`.png`) or an ImageFolder (a folder; importable). */
  'runs/saveSamples': {
    args: z.strictObject({
      ...generateArgs.shape,
      out: z.string().min(1).max(4096)
    }),
    reply: reply<{ path: string; files: number }>()
  },
  /** Every stored measurement of the generator (untrained, end of run, on demand), oldest first. */
  'runs/scores': { args: z.strictObject({ id }), reply: reply<GeneratorScores[]>() },
  /**
   * Measures the generator again (FD, classifier score, conditional accuracy) and stores it, with
   * the classifier run `evaluatorRunId` (default: the run's own evaluator, else the dataset's best).
   */
  'runs/score': {
    args: z.strictObject({ id, evaluatorRunId: id.optional() }),
    reply: reply<GeneratorScores>()
  },
  /**
   * Writes the run's model to the folder `out` (atomically: a temporary folder renamed at the end),
   * with labels.txt, metadata.json and a model card, after a runtime we did not write has loaded
   * it and given the workbench's outputs. An existing `out` is replaced only with `force`.
   */
  'runs/export': {
    args: z.strictObject({
      id,
      format: z.enum(exportFormats),
      out: z.string().min(1).max(4096),
      force: z.boolean().default(false)
    }),
    reply: reply<ExportReport>()
  },
  /** Reads an exported folder's metadata.json (to predict with it or fine-tune from it). */
  'exports/inspect': {
    args: z.strictObject({ path: z.string().min(1).max(4096) }),
    reply: reply<ExportedModelInfo>()
  },
  /**
   * Predicts the classes of image files and folders (walked recursively) with a run or an exported
   * folder (TF.js or ONNX), decoding and preprocessing them exactly as training did.
   */
  'predict/images': {
    args: z.strictObject({
      source: predictSourceSchema,
      paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000),
      topK: z.number().int().min(1).max(100).default(5)
    }),
    reply: reply<PredictReport>()
  },
  /** VAEs: test images beside their reconstructions (pairs: original, reconstruction). */
  'runs/reconstructions': {
    args: z.strictObject({ id, count: z.number().int().min(1).max(64).default(16) }),
    reply: reply<ImagePixels & { indices: number[] }>()
  },
  /** VAEs: test images' latent means in 2-D (the latent itself when 2-D, else a PCA projection). */
  'runs/latentMap': {
    args: z.strictObject({ id, count: z.number().int().min(10).max(5000).default(2000) }),
    reply: reply<{ points: [number, number][]; labels: number[]; projection: 'latent' | 'pca' }>()
  }
} as const

export const events = {
  /** The engine finished probing backends, or failed. */
  'engine/status': z.custom<EngineStatus>(),
  'run/status': z.strictObject({
    runId: id,
    status: z.enum(runStatuses),
    error: z.string().optional()
  }),
  /** A generative run drew its fixed-noise grid (a new frame of its timelapse). */
  'run/sampleGrid': z.strictObject({
    runId: id,
    step: z.number().int().min(0),
    epoch: z.number().min(0),
    rows: z.number().int().min(1),
    cols: z.number().int().min(1),
    /** Mean pairwise distance of the grid's samples; falling towards 0 means mode collapse. */
    diversity: z.number().min(0)
  }),
  'import/progress': z.strictObject({
    importId: z.string(),
    done: z.number().int().min(0),
    total: z.number().int().min(0),
    imagesPerSecond: z.number().min(0),
    etaSeconds: z.number().min(0).nullable()
  }),
  /** A few times a second while a run trains: `metrics` holds `loss` (mean since the last event) and `lr`. */
  'train/progress': z.strictObject({
    runId: id,
    epoch: z.number().int().min(0),
    epochs: z.number().int().min(1),
    step: z.number().int().min(0),
    totalSteps: z.number().int().min(0),
    metrics: z.record(z.string(), z.number()),
    imagesPerSecond: z.number().min(0),
    elapsedSeconds: z.number().min(0),
    etaSeconds: z.number().min(0).nullable()
  }),
  /**
   * The end of an epoch: `metrics` holds the epoch's series values (`train/loss`, `train/accuracy`,
   * `val/loss`, `val/accuracy`, `lr`, `images_per_second`), as stored with `step` = global step.
   */
  'train/epoch': z.strictObject({
    runId: id,
    epoch: z.number().int().min(0),
    step: z.number().int().min(0),
    metrics: z.record(z.string(), z.number())
  }),
  /** Another process on the same data directory (the CLI, a second server) changed these lists. */
  'history/changed': z.strictObject({ datasets: z.boolean(), runs: z.boolean() })
} as const

export type RequestName = keyof typeof requests
/** Arguments as the caller writes them. */
export type RequestArgs<N extends RequestName> = z.input<(typeof requests)[N]['args']>
/** Arguments after validation, as a handler receives them. */
export type ValidArgs<N extends RequestName> = z.output<(typeof requests)[N]['args']>
export type Reply<N extends RequestName> = (typeof requests)[N]['reply']
export type EventName = keyof typeof events
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>

export const requestNames = Object.keys(requests) as RequestName[]

export type ErrorCode = 'invalid-args' | 'unknown-request' | 'not-found' | 'conflict' | 'failed'
export interface ErrorInfo {
  code: ErrorCode
  message: string
}
/** What crosses a transport for every request: never a thrown error, always an envelope. */
export type Envelope<T = unknown> = { ok: true; value: T } | { ok: false; error: ErrorInfo }

/** Names of the Electron IPC channels; the preload is the only code that uses them. */
export const ipcChannels = { request: 'dgmw:request', event: 'dgmw:event' } as const

/** What the preload exposes on `window.dgmw`: one function per request, and an event hook. */
export type BridgeApi = {
  [N in RequestName]: (args: RequestArgs<N>) => Promise<Envelope<Reply<N>>>
} & {
  onEvent(listener: (name: EventName, payload: unknown) => void): () => void
  /** The absolute path of a File dropped onto the window (Electron's webUtils). */
  pathForFile(file: unknown): string
}

/** Browser mode: the WebSocket path and the messages that cross it. */
export const websocketPath = '/ws'
export interface WireRequest {
  id: number
  name: string
  args: unknown
}
export type WireMessage =
  ({ id: number | null } & Envelope) | { event: EventName; payload: unknown }
