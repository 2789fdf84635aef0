/** What decides a classifier run (and a synthetic-data one), with the defaults a new run starts from. */
import { z } from 'zod'

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

/**
 * Everything that decides a classifier run; stored whole with the run. The defaults are the recipe
 * measured best on Fashion-MNIST, so a run nobody tuned gets the best known result: small-cnn, Adam
 * with a one-cycle schedule peaking at 3e-3 after 30% of the steps, batch 128, 5 epochs — 90.69%
 * test accuracy (bench/RESULTS.md, "Time to 90% … Through the CLI").
 */
export const classifierConfigSchema = z.strictObject({
  /**
   * small-cnn: the reference CNN; deep-cnn: 2 blocks of two convolutions with batch norm and
   * dropout; resnet-small: 3 residual stages.
   */
  preset: z.enum(classifierPresets).default('small-cnn'),
  optimizer: z.enum(optimizerNames).default('adam'),
  /** The base (constant/step/cosine) or peak (one-cycle) learning rate. */
  learningRate: z.number().positive().max(10).default(3e-3),
  /** Decoupled decay for AdamW; L2-style decay for SGD; ignored by Adam. */
  weightDecay: z.number().min(0).max(1).default(0),
  /** SGD momentum (Nesterov off). */
  momentum: z.number().min(0).max(0.999).default(0.9),
  schedule: z.enum(scheduleNames).default('one-cycle'),
  /** Step schedule: multiply the rate by `stepGamma` every `stepEpochs` epochs. */
  stepEpochs: z.number().int().min(1).max(1000).default(2),
  stepGamma: z.number().positive().max(1).default(0.1),
  /** One-cycle: fraction of the steps spent warming up to the peak rate. */
  warmupFraction: z.number().min(0).max(0.9).default(0.3),
  batchSize: z.number().int().min(1).max(4096).default(128),
  epochs: z.number().int().min(1).max(1000).default(5),
  /**
   * The fewest optimisation steps the run takes: epochs are raised to reach it (up to 1,000).
   * Default: 2,000 with a label budget (an epoch of 100 images is 1 step of 128), else none
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
