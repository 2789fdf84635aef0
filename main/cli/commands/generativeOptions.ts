/**
 * `dgmw train --recipe <generative>`: its flags, its progress lines and the scores its --json
 * `final` carries.
 */
import {
  classifyingGenerativeRecipes,
  generativeConfigSchema,
  generativeRecipes,
  type GenerativeConfigInput,
  type GenerativeRecipe,
  type EventPayload,
  type RunDetail
} from '../../../preload/contract'
import { UserError } from '../../platform/userError'
import type { CommandContext } from '../context'

export const generativeTrainHelp = `dgmw train --dataset <id|name>
           --recipe dcgan|cgan|acgan|wgan-gp|vae|cvae|vaegan|sgan|gen-bayes|vae-graph
           [--epochs N] [--min-steps N] [--batch-size B] [--lr X] [--d-lr X] [--beta1 X] [--beta2 X]
           [--latent N] [--width N] [--label-smoothing X] [--instance-noise X]
           [--gp X] [--critic-steps N] [--kl-weight X] [--decoder bernoulli|gaussian]
           [--feature-weight X] [--snapshots N] [--evaluator <run>] [--score-samples N]
           [--labels-per-class K] [--importance-samples K] [--ood-quantile Q]
           [--unsupervised-weight X] [--arch dcgan|mlp-wn] [--neighbours K]
           [--propagation poisson|laplace]
           [--seed S] [--name N] [--json]
  Train a generative model. A fixed-noise sample grid is drawn --snapshots times per epoch;
  at the start and the end the generator is measured with the dataset's best classifier run
  (or --evaluator): FD (dataset classifier), a classifier score and, for conditional recipes,
  per-class accuracy. --json's "final" carries those scores.
  Generative classifiers end with a test-split evaluation (final.testAccuracy):
    sgan       semi-supervised GAN (Salimans et al. 2016): K labelled images per class
               (--labels-per-class) plus the rest of the training split unlabelled;
               --arch mlp-wn is the paper's MNIST model (weight-normalised MLP D with noise,
               Adam 3e-3, batch 100; run it for hundreds of epochs on a GPU)
    acgan      the auxiliary classifier head of the discriminator
    gen-bayes  a class-conditional VAE scoring log p(x|c) with a K-sample importance-weighted
               bound (--importance-samples, 1 = ELBO) and Bayes' rule; test images whose best
               class likelihood is below the --ood-quantile of validation images' are flagged
               out-of-distribution
    vae-graph  an MLP VAE (784-400-20) on every training image, then the K labelled images
               per class spread over a --neighbours graph of its latent means by Poisson (or
               Laplace) learning (Calder et al. 2020); test images are classified by a vote of
               their nearest training latents, never added to the graph`

export const generativeFlags = {
  'd-lr': { type: 'string' },
  'min-steps': { type: 'string' },
  beta1: { type: 'string' },
  beta2: { type: 'string' },
  latent: { type: 'string' },
  width: { type: 'string' },
  'label-smoothing': { type: 'string' },
  'instance-noise': { type: 'string' },
  gp: { type: 'string' },
  'critic-steps': { type: 'string' },
  'kl-weight': { type: 'string' },
  decoder: { type: 'string' },
  'feature-weight': { type: 'string' },
  snapshots: { type: 'string' },
  evaluator: { type: 'string' },
  'score-samples': { type: 'string' },
  'importance-samples': { type: 'string' },
  'ood-quantile': { type: 'string' },
  'unsupervised-weight': { type: 'string' },
  neighbours: { type: 'string' },
  propagation: { type: 'string' },
  arch: { type: 'string' },
  generator: { type: 'string' },
  'synthetic-ratio': { type: 'string' },
  graph: { type: 'string' },
  'pseudo-label-share': { type: 'string' },
  recipes: { type: 'string' },
  budgets: { type: 'string' },
  seeds: { type: 'string' },
  csv: { type: 'string' }
} as const

export function isGenerativeRecipe(recipe: unknown): recipe is (typeof generativeRecipes)[number] {
  return (generativeRecipes as readonly unknown[]).includes(recipe)
}

export function generativeConfigOf(
  ctx: CommandContext,
  numberOption: (ctx: CommandContext, flag: string) => number | undefined
): GenerativeConfigInput {
  const parsed = generativeConfigSchema.safeParse({
    epochs: numberOption(ctx, 'epochs'),
    minSteps: numberOption(ctx, 'min-steps'),
    batchSize: numberOption(ctx, 'batch-size'),
    learningRate: numberOption(ctx, 'lr'),
    discriminatorLearningRate: numberOption(ctx, 'd-lr'),
    beta1: numberOption(ctx, 'beta1'),
    beta2: numberOption(ctx, 'beta2'),
    latentDim: numberOption(ctx, 'latent'),
    width: numberOption(ctx, 'width'),
    labelSmoothing: numberOption(ctx, 'label-smoothing'),
    instanceNoise: numberOption(ctx, 'instance-noise'),
    gradientPenalty: numberOption(ctx, 'gp'),
    criticSteps: numberOption(ctx, 'critic-steps'),
    klWeight: numberOption(ctx, 'kl-weight'),
    decoder: ctx.values.decoder,
    featureWeight: numberOption(ctx, 'feature-weight'),
    snapshotsPerEpoch: numberOption(ctx, 'snapshots'),
    evaluatorRunId: numberOption(ctx, 'evaluator'),
    scoreSamples: numberOption(ctx, 'score-samples'),
    labelsPerClass: numberOption(ctx, 'labels-per-class'),
    importanceSamples: numberOption(ctx, 'importance-samples'),
    oodQuantile: numberOption(ctx, 'ood-quantile'),
    unsupervisedWeight: numberOption(ctx, 'unsupervised-weight'),
    neighbours: numberOption(ctx, 'neighbours'),
    propagation: ctx.values.propagation,
    arch: ctx.values.arch,
    seed: numberOption(ctx, 'seed')
  })
  return validOptions(parsed)
}

/** The parsed options, or an error naming every flag that is wrong and why. */
export function validOptions<T>(
  parsed:
    | { success: true; data: T }
    | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } }
): T {
  if (!parsed.success)
    throw new UserError(
      'Invalid training options: ' +
        parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')
    )
  return parsed.data
}

const lossText = (metrics: Record<string, number>, prefix = ''): string =>
  Object.entries(metrics)
    .filter(
      ([name]) =>
        name.startsWith(prefix) && /loss|kl|reconstruction|wasserstein|accuracy/.test(name)
    )
    .map(([name, value]) => `${name.slice(prefix.length)} ${value.toFixed(4)}`)
    .join(' · ')

export function generativeProgressText(p: EventPayload<'train/progress'>): string {
  return lossText(p.metrics)
}

export function generativeEpochLine(e: EventPayload<'train/epoch'>, epochs: number): string {
  const m = e.metrics
  return `epoch ${e.epoch + 1}/${epochs}: ${lossText(m, 'train/')} · diversity ${m['samples/diversity']?.toFixed(2)} · ${Math.round(m.images_per_second)} img/s`
}

/** The --json `final` of a generative run: its scores (null when no classifier measured it). */
export function generativeFinal(detail: RunDetail): Record<string, unknown> {
  const h = detail.headline
  return {
    // Until the end-of-run measurement, the headline's fd is the untrained generator's.
    fd: detail.status === 'completed' ? (h.fd ?? null) : null,
    fdUntrained: h.fdUntrained ?? null,
    classifierScore: h.classifierScore ?? null,
    conditionalAccuracy: h.conditionalAccuracy ?? null,
    ...(classifyingGenerativeRecipes.includes(detail.recipe as GenerativeRecipe)
      ? {
          testAccuracy: h.testAccuracy ?? null,
          labelledImages: h.labelledImages ?? null,
          ...(h.oodRate !== undefined ? { oodRate: h.oodRate } : {})
        }
      : {}),
    warnings: h.warnings ?? []
  }
}

/** Per-epoch numbers of a generative run: every train/* series and the sample diversity. */
export function generativeEpochs(detail: RunDetail): Record<string, unknown>[] {
  const names = Object.keys(detail.metrics).filter(
    (n) => n.startsWith('train/') || n === 'samples/diversity'
  )
  const byEpoch = new Map<number, Record<string, unknown>>()
  for (const name of names)
    for (const point of detail.metrics[name]) {
      if (point.epoch === null || point.epoch < 0) continue
      const row = byEpoch.get(point.epoch) ?? { epoch: point.epoch, step: point.step }
      row[name] = point.value
      byEpoch.set(point.epoch, row)
    }
  return [...byEpoch.values()].sort((a, b) => (a.epoch as number) - (b.epoch as number))
}
