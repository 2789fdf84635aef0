import type { Augmentation, BackendName, EngineStatus } from '../../preload/contract'
import type { Normalisation } from '../datasets/normalize'

/** Data the engine worker starts with. */
export interface EngineWorkerData {
  forced?: BackendName
}

/** Learnable synthetic images (a class-coloured square on noise), for tests and benchmarks. */
export interface SyntheticData {
  kind: 'synthetic'
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
  /** Label of every image in cache order. */
  labels: number[]
  trainIndices: number[]
  /** Images the final accuracy is measured on (the test split). */
  evalIndices: number[]
  augmentation?: Augmentation
  normalisation: Normalisation
}

/** A training job the engine runs (recipes beyond the reference CNN arrive with the training issue). */
export interface TrainSpec {
  model: 'reference-cnn'
  data: SyntheticData | DatasetData
  epochs: number
  batchSize: number
  learningRate: number
  seed: number
}

export interface TrainProgress {
  jobId: string
  epoch: number
  step: number
  totalSteps: number
  loss: number
  imagesPerSecond: number
  etaSeconds: number | null
}

export interface TrainResult {
  jobId: string
  status: 'completed' | 'stopped'
  steps: number
  finalLoss: number
  accuracy: number
  /** tf.memory().numTensors at the end of each epoch: flat when nothing leaks. */
  tensorsPerEpoch: number[]
  backend: string
}

/** Messages from the engine worker to its host. */
export type EngineMessage =
  | { type: 'status'; status: EngineStatus }
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'paused' | 'resumed'; jobId: string }
  | { type: 'done'; result: TrainResult }
  | { type: 'failed'; jobId: string; error: string }

/** Commands from the host to the engine worker. */
export type EngineCommand =
  | { type: 'train'; jobId: string; spec: TrainSpec }
  | { type: 'pause' | 'resume' | 'stop'; jobId: string }
  | { type: 'shutdown' }
