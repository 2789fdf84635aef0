/**
 * Explanations of a trained run: why a classifier said what it said (saliency maps, with the
 * randomised-weights sanity check of Adebayo et al. 2018), and what a generative model has
 * learnt (latent traversals ranked by KL, counterfactuals "this image as class c", class
 * prototypes). Every image arrives as uint8 pixels in the model's input size; maps are uint8
 * planes so the renderer can colour them with any colour map.
 */
import { z } from 'zod'
import { id } from './schemaParts'
import type { ImagePixels } from './types'

/** Vanilla gradients (Simonyan et al. 2014), SmoothGrad (Smilkov et al. 2017), Grad-CAM (Selvaraju et al. 2017). */
export const saliencyMethods = ['grad', 'smoothgrad', 'gradcam'] as const
export type SaliencyMethod = (typeof saliencyMethods)[number]

/**
 * The image to explain: one of the run's dataset images (its index in the dataset's image cache,
 * as `runs/predictions` gives it), an image file on the machine running main (decoded exactly
 * as prediction decodes it), or pixels already decoded at the model's input size (uint8, base64:
 * a prediction's thumbnail, whose file may be gone — browser uploads are deleted once predicted).
 */
export const explainImageSchema = z.union([
  z.strictObject({ datasetIndex: z.number().int().min(0) }),
  z.strictObject({ path: z.string().min(1).max(4096) }),
  z.strictObject({ pixels: z.base64().max(4_000_000) })
])
export type ExplainImage = z.infer<typeof explainImageSchema>

export const saliencyArgsSchema = z
  .strictObject({
    /** The run whose prediction is explained… */
    runId: id.optional(),
    /** …or an exported TF.js folder's (an ONNX export has no gradients: explain its run). */
    exportDir: z.string().min(1).max(4096).optional(),
    image: explainImageSchema,
    method: z.enum(saliencyMethods),
    /** The class whose score is explained (default: the predicted class). */
    classIndex: z.number().int().min(0).optional(),
    /** SmoothGrad: noisy copies averaged. */
    samples: z.number().int().min(2).max(200).default(25),
    /** SmoothGrad: the noise's σ as a fraction of the input's range (Smilkov et al. use 0.1–0.2). */
    noise: z.number().min(0).max(1).default(0.15),
    /** Seeds SmoothGrad's noise and the sanity check's randomised weights. */
    seed: z.number().int().min(0).default(0),
    /** Also compute the same map for the model with randomised weights (Adebayo et al. 2018). */
    sanityCheck: z.boolean().default(true)
  })
  .refine((args) => (args.runId === undefined) !== (args.exportDir === undefined), {
    message: 'Say what to explain: a runId or an exportDir, not both.'
  })

/** A one-channel map (0–255) the size of the image, row-major. */
export type MapPlane = ImagePixels & { channels: 1 }

export interface SaliencyMapResult {
  map: MapPlane
  /** Class probabilities of the model the map was computed on. */
  probabilities: number[]
}

export interface SaliencyReport {
  /** The run explained, or null for an exported folder (`exportDir`). */
  runId: number | null
  exportDir?: string
  method: SaliencyMethod
  /** The image as the model saw it (its input size, uint8). */
  image: ImagePixels
  /** The image's true class (dataset images), else null. */
  label: number | null
  predicted: number
  /** The class whose score the map explains. */
  classIndex: number
  /** What was differentiated: a logit, or log p(c|x) for likelihood classifiers. */
  score: 'logit' | 'log-posterior'
  trained: SaliencyMapResult
  /** Grad-CAM: the layer whose activations were weighted, and their spatial size. */
  layer?: { name: string; height: number; width: number }
  /**
   * The sanity check: the same method on the same image for the model with every weight tensor
   * redrawn (Gaussian with each tensor's own mean and σ, seeded). A map that explains the model
   * changes; `rankCorrelation` is Spearman's ρ between the two maps (near 1: the map ignores the
   * learnt weights, and does not explain the model).
   */
  sanity?: SaliencyMapResult & { rankCorrelation: number; seed: number }
  smoothGrad?: { samples: number; noise: number; seed: number }
  /** Answered from the cache (same run checkpoint, image and settings). */
  cached: boolean
  seconds: number
}

export const traversalArgsSchema = z.strictObject({
  runId: id,
  /** The code traversed: this image's latent mean; absent, a seeded draw from N(0, I). */
  image: explainImageSchema.optional(),
  /** Conditional decoders: the class decoded under (default: the image's class, else 0). */
  classIndex: z.number().int().min(0).optional(),
  /** Each dimension runs from base − range to base + range (in standard deviations of the prior). */
  range: z.number().min(0.25).max(8).default(3),
  steps: z.number().int().min(3).max(15).default(9),
  /** Rows: this many dimensions, the most informative (highest KL) first. */
  dims: z.number().int().min(1).max(64).default(8),
  seed: z.number().int().min(0).default(0)
})

export interface LatentTraversal {
  runId: number
  latentDim: number
  /**
   * Mean KL(q(z_d|x) ‖ N(0, 1)) per latent dimension over `klImages` test images, in nats: a
   * dimension the encoder does not use has KL near 0 (it carries no information about x).
   */
  klPerDim: number[]
  klImages: number
  /** The rows, in order: dimension indices, highest KL first. */
  dims: number[]
  /** The value added to the base code in each column. */
  offsets: number[]
  base: 'image' | 'seed'
  classIndex: number | null
  /** rows × cols images, row-major (row = dimension). */
  grid: ImagePixels & { rows: number; cols: number }
  cached: boolean
}

export const counterfactualArgsSchema = z.strictObject({
  /** A conditional VAE run (cvae) or a generative Bayes classifier run (its cVAE). */
  runId: id,
  image: explainImageSchema,
  /** The class the image is encoded as (default: its true class, else the classifier's prediction). */
  sourceClass: z.number().int().min(0).optional(),
  /**
   * The run whose probabilities are shown for every decoded image: any classifying run on the
   * same dataset (default: the generator's evaluator, else the dataset's best classifier, else
   * the run itself when it classifies).
   */
  classifierRunId: id.optional()
})

export interface CounterfactualReport {
  runId: number
  classifier: { runId: number; name: string }
  sourceClass: number
  label: number | null
  original: ImagePixels
  /** The classifier's probabilities for the original image. */
  originalProbabilities: number[]
  /**
   * The image decoded from its latent mean under every class in turn (count = classes, class
   * order); only the class input differs between them, so the row at `sourceClass` is the
   * reconstruction.
   */
  decoded: ImagePixels & { count: number }
  /** The classifier's probabilities for each decoded image: [class decoded as][class]. */
  probabilities: number[][]
  /**
   * Per-pixel signed differences (128 = none; 255 = brighter by the full range; 0 = darker), one
   * plane per class: to the original image, and to the reconstruction (only the class changed).
   */
  differenceToOriginal: ImagePixels & { count: number }
  differenceToReconstruction: ImagePixels & { count: number }
  cached: boolean
}

export const prototypeArgsSchema = z.strictObject({
  /** A conditional generator run (cgan, acgan, cvae, gen-bayes). */
  runId: id,
  classifierRunId: id.optional(),
  perClass: z.number().int().min(1).max(16).default(6),
  /** Samples drawn per class, of which the classifier's `perClass` most confident are kept. */
  candidates: z.number().int().min(8).max(512).default(64),
  seed: z.number().int().min(0).default(0)
})

export interface PrototypeReport {
  runId: number
  classifier: { runId: number; name: string }
  perClass: number
  /** classes × perClass generated images, class-major, most confident first within a class. */
  generated: ImagePixels & { count: number }
  generatedConfidence: number[]
  /**
   * classes × perClass real test images the classifier is most confident are their (true) class,
   * as the classifier's stored evaluation ranks them; fewer where a class has fewer test images
   * classified correctly (`realPerClass` says how many per class).
   */
  real: ImagePixels & { count: number; indices: number[] }
  realConfidence: number[]
  realPerClass: number[]
  cached: boolean
}
