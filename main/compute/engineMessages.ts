import type { BackendName, EngineStatus } from '../../preload/contract'

/** Data the engine worker starts with. */
export interface EngineWorkerData {
  forced?: BackendName
}

/** A training job the engine runs (datasets and recipes arrive with the training issue). */
export interface TrainSpec {
  model: 'reference-cnn'
  /** Learnable synthetic images (a class-coloured square on noise); real datasets come later. */
  data: {
    kind: 'synthetic'
    samples: number
    height: number
    width: number
    channels: number
    classes: number
  }
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
