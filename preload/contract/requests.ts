/**
 * Every request: its name, the schema main validates its arguments with, and its reply type (a
 * compile-time type only: main produces replies, so they need no runtime check).
 */
import { z } from 'zod'
import {
  augmentationSchema,
  classifierConfigSchema,
  syntheticConfigSchema
} from './classifierConfig'
import { generativeConfigSchema } from './generativeConfig'
import {
  labelBudgetPlanSchema,
  type LabelBudgetPreview,
  type LabelBudgetResult
} from './labelBudget'
import { generativeRecipes, syntheticRecipes } from './recipes'
import {
  profileNameSchema,
  slurmProfileSchema,
  type ProfileTestReport,
  type SlurmProfile
} from './cluster'
import type {
  Evaluation,
  ExportedModelInfo,
  ExportReport,
  GeneratorScores,
  PredictReport,
  Prediction
} from './results'
import { exportFormats } from './results'
import { id } from './schemaParts'
import {
  counterfactualArgsSchema,
  prototypeArgsSchema,
  saliencyArgsSchema,
  traversalArgsSchema,
  type CounterfactualReport,
  type LatentTraversal,
  type PrototypeReport,
  type SaliencyReport
} from './explain'
import {
  backendNames,
  runStatuses,
  splitNames,
  type AppInfo,
  type DatasetDetail,
  type DatasetImage,
  type DatasetSummary,
  type DoctorReport,
  type EngineStatus,
  type ExperimentSummary,
  type GeneratedImages,
  type ImagePixels,
  type ImportReport,
  type RunDetail,
  type RunPreview,
  type RunSummary,
  type SampleGridInfo
} from './types'

/** Carries a reply type into the request table; it has no runtime value. */
function reply<T>(): T {
  return undefined as T
}

const noArgs = z.strictObject({})
const splitName = z.enum(splitNames)

const runPlace = {
  datasetId: id,
  experimentId: id.optional(),
  name: z.string().min(1).max(120).optional(),
  /** Where it trains: this machine's queue (absent), or a job on the named Slurm profile. */
  runOn: profileNameSchema.optional()
}

/** What a run or an exported folder predicts from: one of the two. */
export const predictSourceSchema = z.union([
  z.strictObject({ runId: z.number().int().positive() }),
  z.strictObject({ exportDir: z.string().min(1).max(4096) })
])

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

export const requests = {
  'app/info': { args: noArgs, reply: reply<AppInfo>() },
  'engine/status': { args: noArgs, reply: reply<EngineStatus>() },
  /** Saves the backend choice and restarts the engine with it; replies with the new status. */
  'engine/setBackend': {
    args: z.strictObject({ backend: z.enum(['auto', ...backendNames]) }),
    reply: reply<EngineStatus>()
  },
  'doctor/report': { args: noArgs, reply: reply<DoctorReport>() },
  /** The stored Slurm profiles ("Run on" offers them beside this machine). */
  'cluster/profiles': { args: noArgs, reply: reply<SlurmProfile[]>() },
  /** Adds a profile or replaces the one of the same name. */
  'cluster/saveProfile': { args: slurmProfileSchema, reply: reply<SlurmProfile>() },
  'cluster/deleteProfile': {
    args: z.strictObject({ name: profileNameSchema }),
    reply: reply<void>()
  },
  /** Submits a tiny job on the profile and says where it ran and which version it found there. */
  'cluster/testProfile': {
    args: z.strictObject({ name: profileNameSchema }),
    reply: reply<ProfileTestReport>()
  },
  'datasets/list': { args: noArgs, reply: reply<DatasetSummary[]>() },
  /** Imports a folder or IDX/CIFAR files on the machine running main; progress as import/progress. */
  'datasets/import': {
    args: z.strictObject({
      path: z.string().min(1).max(4096),
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
   * it and given the workbench's outputs. An existing `out` is replaced only with `force`. The
   * folder is meant to be shared, so it names no folder of this machine unless `includePaths`.
   */
  'runs/export': {
    args: z.strictObject({
      id,
      format: z.enum(exportFormats),
      out: z.string().min(1).max(4096),
      force: z.boolean().default(false),
      /** Keep absolute paths of this machine (a fine-tuned run's `initFrom`) in metadata.json. */
      includePaths: z.boolean().default(false)
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
  },
  /**
   * Why a classifying run predicted what it did for one image: a saliency map (gradients,
   * SmoothGrad or Grad-CAM) for the predicted or a chosen class, with the same map for the model
   * with randomised weights beside it. Cached per run checkpoint, image and settings.
   */
  'explain/saliency': { args: saliencyArgsSchema, reply: reply<SaliencyReport>() },
  /** VAE recipes: one row of decoded images per latent dimension, the most informative (KL) first. */
  'explain/traversals': { args: traversalArgsSchema, reply: reply<LatentTraversal>() },
  /** Conditional VAEs: the image encoded once and decoded as every class, with a classifier's view. */
  'explain/counterfactuals': {
    args: counterfactualArgsSchema,
    reply: reply<CounterfactualReport>()
  },
  /** Conditional generators: the samples a classifier is surest of per class, beside the real images it is surest of. */
  'explain/prototypes': { args: prototypeArgsSchema, reply: reply<PrototypeReport>() }
} as const

export type RequestName = keyof typeof requests
/** Arguments as the caller writes them. */
export type RequestArgs<N extends RequestName> = z.input<(typeof requests)[N]['args']>
/** Arguments after validation, as a handler receives them. */
export type ValidArgs<N extends RequestName> = z.output<(typeof requests)[N]['args']>
export type Reply<N extends RequestName> = (typeof requests)[N]['reply']

export const requestNames = Object.keys(requests) as RequestName[]
