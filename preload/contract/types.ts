/** The records requests reply with: the app, the engine, datasets, experiments and runs. */

import type { ClusterJob } from './cluster'

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

export type SkipReason =
  | 'empty'
  | 'not-image'
  | 'corrupt'
  | 'too-large'
  | 'unreadable'
  /** The decode ran past its per-file time limit. */
  | 'timeout'

/** The parts of a dataset; every image is in exactly one (the database checks the same three). */
export const splitNames = ['train', 'val', 'test'] as const
export type SplitName = (typeof splitNames)[number]

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
  /** Trained as a Slurm job: its profile, job id, Slurm's state and reason, node, folder. */
  cluster?: ClusterJob
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

/** A run's plan before it starts. */
export interface RunPreview {
  /** Optimisation steps, and how they come about (epochs × batches, raised to a minimum). */
  plannedSteps: number
  trainingLength: string
  /** How long it takes on this machine, from a measured speed; `unavailable` says why not. */
  estimate?: RunEstimate | { unavailable: string }
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
