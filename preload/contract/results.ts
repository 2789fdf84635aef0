/** What a trained run yields: evaluations, generator scores, exports and predictions. */
import type { ClassifierPreset } from './classifierConfig'
import type { ImagePixels, SkippedFile, SplitName } from './types'

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
