/**
 * The engine protocol: everything that crosses between the host and the engine worker — training
 * specs and their progress messages, the short tasks and their results, commands. Types only, so
 * the host imports it without loading the tensor library.
 */
import type {
  Augmentation,
  BackendName,
  ClassifierConfig,
  ClassifierPreset,
  EngineStatus,
  ExportedNetwork,
  GenerativeConfig,
  ExportFormat,
  GenerativeRecipe,
  OutOfDistribution,
  SaliencyMethod
} from '../../preload/contract'
import type { Normalisation } from '../datasets/normalize'
import type { PixelBatch } from '../datasets/pixelImages'
import type { ExportMetadata } from './export/exportMetadata'

/** Data the engine worker starts with. */
export interface EngineWorkerData {
  forced?: BackendName
  /** Part of the name of the GPU adapter to use (`--gpu`, DGMW_GPU), for machines with several. */
  gpuName?: string
}

/** Learnable test images, a class-coloured square on noise (squareImages.ts), for tests and benchmarks. */
export interface SquaresData {
  kind: 'squares'
  samples: number
  height: number
  width: number
  channels: number
  classes: number
}

/** An imported dataset: its uint8 cache, labels and split, read by the engine worker itself. */
export interface DatasetData {
  kind: 'dataset'
  cacheFile: string
  height: number
  width: number
  channels: number
  classes: number
  /** Label of every image in cache order (−1: unlabelled, or hidden by the run's label budget). */
  labels: number[]
  trainIndices: number[]
  /**
   * Semi-supervised runs: the training images whose labels the run may use (its label budget);
   * the rest of `trainIndices` is unlabelled for it.
   */
  labelledIndices?: number[]
  /** Classifiers that learn from a generator's images too (augment) or only (cas). */
  generated?: GeneratedImagesSpec
  /** Images validation loss/accuracy are measured on each epoch (may be empty). */
  valIndices: number[]
  /** Images the final accuracy is measured on (the test split). */
  evalIndices: number[]
  augmentation?: Augmentation
  normalisation: Normalisation
}

/**
 * Images a saved conditional generator draws at the start of a classifier run: `perClass` of
 * every class, deterministic for the seed. They get indices after the cache's images.
 */
export interface GeneratedImagesSpec {
  model: SavedGenerativeModel
  perClass: number
  seed: number
  /** CAS: train on the generated images only (no real training image is read). */
  only: boolean
}

/**
 * A job for the engine: train a classifier on the data with the config, writing a checkpoint to
 * `checkpointDir` at each epoch end; or, with `evaluateOnly`, evaluate its saved weights.
 */
export interface TrainSpec {
  recipe?: 'classifier'
  data: SquaresData | DatasetData
  config: ClassifierConfig
  /** Folder for `checkpoint.ckpt` (latest epoch / final weights) and `best.ckpt` (early stopping). */
  checkpointDir?: string
  /** Continue from the checkpoint in `checkpointDir` when there is one. */
  resume?: boolean
  /** Skip training: load the checkpoint's weights and evaluate them. */
  evaluateOnly?: boolean
  /** Also measure accuracy on the evaluation images after every epoch (the time-to-accuracy bench). */
  testEachEpoch?: boolean
}

/** A job for the engine: train a generative recipe, checkpointing and drawing grids as it goes. */
export interface GenerativeTrainSpec {
  recipe: GenerativeRecipe
  data: SquaresData | DatasetData
  config: GenerativeConfig
  checkpointDir?: string
  resume?: boolean
  /** The classifier that measures the generator at the start and the end (none: no scores). */
  evaluator?: EvaluatorSpec
  /** Classifying recipes: skip training, load the checkpoint and evaluate it. */
  evaluateOnly?: boolean
}

export type AnyTrainSpec = TrainSpec | GenerativeTrainSpec

export const isGenerativeSpec = (spec: AnyTrainSpec): spec is GenerativeTrainSpec =>
  spec.recipe !== undefined && spec.recipe !== 'classifier'

/** A fixed-noise grid written to `path` (a frame of the run's timelapse). */
export interface SampleSnapshot {
  jobId: string
  step: number
  epoch: number
  rows: number
  cols: number
  path: string
  /** Mean pairwise distance of the grid's samples (falls when the generator collapses). */
  diversity: number
}

export interface TrainProgress {
  jobId: string
  epoch: number
  epochs: number
  step: number
  totalSteps: number
  /** Mean training loss of the steps since the last progress message. */
  loss: number
  /** Generative runs: every loss (d/loss, g/loss, vae/kl, …), means since the last message. */
  metrics?: Record<string, number>
  learningRate: number
  imagesPerSecond: number
  elapsedSeconds: number
  etaSeconds: number | null
}

/** Where a (resumed) job starts: metrics recorded after `step` by an earlier attempt are stale. */
export interface TrainStart {
  jobId: string
  fromEpoch: number
  fromStep: number
}

export interface EpochReport {
  jobId: string
  epoch: number
  /** Global step at the end of the epoch. */
  step: number
  metrics: Record<string, number>
  checkpoint?: { path: string; bytes: number; sha256: string }
  /** Generative runs: this epoch's warnings (discriminator winning, mode collapse). */
  warnings?: string[]
  /**
   * Sent again by a resumed run: the epoch its checkpoint ends, which the database may not have
   * recorded if the process died between writing the checkpoint and recording the epoch.
   */
  replayed?: boolean
}

/** The evaluated images: dataset indices, predicted class and its softmax probability, in order. */
export interface EvaluatedImages {
  indices: number[]
  predicted: number[]
  confidence: number[]
  /** Mean cross-entropy over them. */
  loss: number
  /** Generative Bayes classifier: images no class explains (threshold from validation images). */
  outOfDistribution?: OutOfDistribution
}

export interface TrainResult {
  jobId: string
  status: 'completed' | 'stopped'
  steps: number
  epochsDone: number
  finalLoss: number
  /** Accuracy on the evaluation images (NaN when stopped before evaluating). */
  accuracy: number
  evaluated?: EvaluatedImages
  /** Set when early stopping ended training: the epoch whose weights were kept (0-based). */
  bestEpoch?: number
  /** tf.memory().numTensors at the end of each epoch: flat when nothing leaks. */
  tensorsPerEpoch: number[]
  backend: string
  /** The final weights' checkpoint, when a checkpoint folder was given. */
  checkpoint?: { path: string; bytes: number; sha256: string }
  /** Measured once at the end (vae-graph: graph/knn_seconds, …), stored at the last step. */
  metrics?: Record<string, number>
}

/** Messages from the engine worker to its host. */
export type EngineMessage =
  | { type: 'status'; status: EngineStatus }
  | { type: 'start'; start: TrainStart }
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'epoch'; report: EpochReport }
  | { type: 'snapshot'; snapshot: SampleSnapshot }
  | { type: 'scores'; jobId: string; scores: ScoresCore & { step: number } }
  | { type: 'taskDone'; jobId: string; result: unknown }
  | { type: 'paused' | 'resumed'; jobId: string }
  | { type: 'done'; result: TrainResult }
  /** `deviceLost`: the GPU went away; the run is interrupted and the engine must restart. */
  | { type: 'failed'; jobId: string; error: string; deviceLost?: boolean }

/** Commands from the host to the engine worker. */
export type EngineCommand =
  | { type: 'train'; jobId: string; spec: AnyTrainSpec }
  | { type: 'task'; jobId: string; task: EngineTask }
  | { type: 'pause' | 'resume' | 'stop'; jobId: string }
  | { type: 'shutdown' }

/** n samples from independent codes, or along the straight line between two codes. */
export interface GenerateTask {
  kind: 'generate'
  model: SavedGenerativeModel
  n: number
  labels: number[] | null
  seed: number
  interpolate: boolean
}

/** FD, classifier score and conditional accuracy of a generator, measured by a classifier run. */
export interface ScoreTask {
  kind: 'score'
  model: SavedGenerativeModel
  evaluator: EvaluatorSpec
  data: DatasetData
}

/** A VAE's reconstructions of the given cached images. */
export interface ReconstructTask {
  kind: 'reconstruct'
  model: SavedGenerativeModel
  data: DatasetData
  indices: number[]
}

/** A VAE's latent means of the given images in 2-D. */
export interface LatentMapTask {
  kind: 'latentMap'
  model: SavedGenerativeModel
  data: DatasetData
  indices: number[]
}

export interface LatentMap {
  points: [number, number][]
  /** `latent`: the latent is 2-D itself; `pca`: its two leading principal components. */
  projection: 'latent' | 'pca'
}

/**
 * The engine's short tasks, by kind: what is asked and what comes back. Answered once, between
 * the steps of any training job (not queued behind it: they are short). `engineHost.task()` and
 * the worker's handler table are both typed by this map.
 */
export interface EngineTasks {
  generate: { task: GenerateTask; result: PixelBatch }
  score: { task: ScoreTask; result: ScoresCore }
  reconstruct: { task: ReconstructTask; result: PixelBatch }
  latentMap: { task: LatentMapTask; result: LatentMap }
  export: { task: ExportTask; result: ExportTaskResult }
  predict: { task: PredictTask; result: PredictTaskResult }
  saliency: { task: SaliencyTask; result: SaliencyTaskResult }
  traversal: { task: TraversalTask; result: TraversalTaskResult }
  counterfactual: { task: CounterfactualTask; result: CounterfactualTaskResult }
  prototypes: { task: PrototypeTask; result: PrototypeTaskResult }
}

export type TaskKind = keyof EngineTasks
export type EngineTask<K extends TaskKind = TaskKind> = EngineTasks[K]['task']
export type TaskResult<K extends TaskKind = TaskKind> = EngineTasks[K]['result']

/** A trained model the engine rebuilds to export or predict with. */
export type ModelSource =
  | { kind: 'classifier'; config: ClassifierConfig; data: DatasetData; checkpointFile: string }
  | {
      kind: 'generative'
      model: SavedGenerativeModel
      data: DatasetData
      /** Generative Bayes classifier: the run's calibrated out-of-distribution threshold. */
      oodThreshold?: number
    }
  /** A folder exported in TF.js format (its metadata.json says the rest). */
  | { kind: 'exported'; dir: string }

/** Writes the source's networks into `dir` and checks them with a runtime we did not write. */
export interface ExportTask {
  kind: 'export'
  source: Exclude<ModelSource, { kind: 'exported' }>
  format: ExportFormat
  dir: string
  /** The dataset's resize setting, stated in the export's preprocessing. */
  fit: 'cover' | 'contain'
  /** ONNX metadata_props (class names, preprocessing), already JSON strings. */
  onnxMetadata: Record<string, string>
}

/** Class probabilities of decoded images (uint8, the model's input size, in order). */
export interface PredictTask {
  kind: 'predict'
  source: ModelSource
  pixels: Uint8Array
  count: number
}

/** The networks written (each checked by a runtime we did not write) and what they expect. */
export interface ExportTaskResult {
  networks: ExportedNetwork[]
  /** As metadata.json states it (also in the ONNX files' metadata). */
  preprocessing: ExportMetadata['preprocessing']
  shape: { height: number; width: number; channels: number }
}

export interface PredictTaskResult {
  classes: number
  /** Row-major [count × classes]. */
  probabilities: Float32Array
  /** Likelihood models with a calibrated threshold: whether each image is out-of-distribution. */
  ood?: boolean[]
}

/** The classifier run that measures generators: its preset, final weights and normalisation. */
export interface EvaluatorSpec {
  runId: number
  preset: ClassifierPreset
  checkpointFile: string
  normalisation: Normalisation
}

/** A generator's scores as the evaluator measured them. */
export interface ScoresCore {
  fd: number
  classifierScore: number
  conditionalAccuracy?: number
  perClassAccuracy?: number[]
  samples: number
}

/** Enough to rebuild a generative run's model and load its latest checkpoint. */
export interface SavedGenerativeModel {
  recipe: GenerativeRecipe
  config: GenerativeConfig
  shape: { height: number; width: number; channels: number; classes: number }
  checkpointFile: string
}

/** A saliency map of one image (uint8, the model's input size) for one class (engine/explain). */
export interface SaliencyTask {
  kind: 'saliency'
  source: ModelSource
  pixels: Uint8Array
  method: SaliencyMethod
  /** Default: the predicted class. */
  classIndex?: number
  samples: number
  noise: number
  seed: number
  /** Also the map of the model with randomised weights (Adebayo et al. 2018). */
  sanityCheck: boolean
}

export interface SaliencyMapValues {
  /** [height × width] in [0, 1], row-major. */
  map: Float32Array
  probabilities: Float32Array
}

export interface SaliencyTaskResult {
  classes: number
  predicted: number
  classIndex: number
  score: 'logit' | 'log-posterior'
  trained: SaliencyMapValues
  sanity?: SaliencyMapValues & { rankCorrelation: number }
  layer?: { name: string; height: number; width: number }
}

/** Latent traversals of a VAE recipe, rows ranked by each dimension's mean KL on test images. */
export interface TraversalTask {
  kind: 'traversal'
  model: SavedGenerativeModel
  data: DatasetData
  /** Test images the KL per dimension is averaged over. */
  klIndices: number[]
  /** The base code: this image's latent mean (uint8, input size); absent: a seeded N(0, I) draw. */
  pixels?: Uint8Array
  /** Conditional decoders (and encoders): the class. */
  classIndex: number | null
  range: number
  steps: number
  dims: number
  seed: number
}

export interface TraversalTaskResult {
  klPerDim: number[]
  dims: number[]
  offsets: number[]
  /** rows × cols images, row-major. */
  images: PixelBatch
}

/** One image encoded by a conditional VAE as `sourceClass`, decoded as every class, judged by a classifier. */
export interface CounterfactualTask {
  kind: 'counterfactual'
  model: SavedGenerativeModel
  classifier: ModelSource
  pixels: Uint8Array
  sourceClass: number
}

export interface CounterfactualTaskResult {
  /** One image per class, class order. */
  decoded: PixelBatch
  /** [classes × classes] row-major: the classifier's probabilities for each decoded image. */
  probabilities: Float32Array
  originalProbabilities: Float32Array
}

/** A conditional generator's samples the classifier is most confident about, per class. */
export interface PrototypeTask {
  kind: 'prototypes'
  model: SavedGenerativeModel
  classifier: ModelSource
  perClass: number
  candidates: number
  seed: number
}

export interface PrototypeTaskResult {
  /** classes × perClass, class-major, most confident first. */
  images: PixelBatch
  confidence: number[]
}
