/** What decides a generative run, and each recipe's defaults. */
import { z } from 'zod'
import { isVae, type GenerativeRecipe } from './recipes'

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
