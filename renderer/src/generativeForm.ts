/**
 * Pure helpers of the new-run form for generative recipes: what each recipe is, which settings it
 * reads, and how the form keeps a person's edits when they switch recipe.
 */
import {
  conditionalRecipes,
  generativeConfigSchema,
  generativeDefaults,
  type GenerativeConfig,
  type GenerativeConfigInput,
  type GenerativeRecipe,
  type RecipeName
} from '../../preload/contract'

/** One line each, shown under the recipe choice. */
export const recipeDescriptions: Record<RecipeName, string> = {
  classifier: 'A CNN that labels images; also what measures generators (FD, classifier score).',
  dcgan: 'Deep convolutional GAN: a generator and a discriminator play against each other.',
  cgan: 'Conditional GAN: both networks see the class, so you choose what it draws.',
  acgan: 'Auxiliary-classifier GAN: the discriminator also names the class of what it sees.',
  'wgan-gp': 'Wasserstein GAN with gradient penalty: a critic instead of a judge; stabler, slower.',
  vae: 'Variational autoencoder: encodes images to a latent code and decodes them back.',
  cvae: 'Conditional VAE: the encoder and decoder both see the class.',
  vaegan: 'VAE-GAN: a VAE whose reconstructions are judged by a discriminator; sharper samples.',
  sgan: 'Semi-supervised GAN (Salimans et al. 2016): a K-class discriminator that also learns from unlabelled images.',
  'gen-bayes':
    'Generative Bayes classifier: a class-conditional VAE, classifying by Bayes’ rule on log p(x|c).',
  'vae-graph':
    'VAE + graph (Calder et al. 2020): a VAE learns from every image, then the few labels spread over a nearest-neighbour graph of its latent space.',
  augment: 'A classifier trained on real images plus a conditional generator run’s images.',
  'self-train':
    'A classifier trained on the labelled images plus those a vae-graph run labelled most confidently; exports like any classifier.',
  cas: 'Classification Accuracy Score: a classifier trained only on a generator’s images, tested on real ones.'
}

/** Everything the form edits for a generative run (the evaluator is chosen by main). */
export type GenerativeForm = Omit<GenerativeConfig, 'evaluatorRunId'>
export type GenerativeField = keyof GenerativeForm

export const isConditional = (recipe: string): boolean =>
  (conditionalRecipes as readonly string[]).includes(recipe)

const gans: GenerativeRecipe[] = ['dcgan', 'cgan', 'acgan', 'wgan-gp', 'sgan']
/** Recipes that read a label budget: the conditional ones and SGAN (which uses the rest unlabelled). */
const labelBudgetRecipes: GenerativeRecipe[] = [
  'sgan',
  'acgan',
  'gen-bayes',
  'cgan',
  'cvae',
  'vae-graph'
]
/** Recipes that train with binary cross-entropy against a discriminator (smoothing applies). */
const bceDiscriminator: GenerativeRecipe[] = ['dcgan', 'cgan', 'acgan', 'vaegan']

/**
 * The settings a recipe reads (see main/engine/models/generative). The form shows only these and sends
 * only these, so a run's stored config never lists a setting that did nothing.
 */
export function recipeFields(recipe: GenerativeRecipe): GenerativeField[] {
  const fields: GenerativeField[] = ['epochs', 'batchSize', 'latentDim']
  // vae-graph's networks are the paper's fixed MLPs (400 hidden units): no conv width.
  if (recipe !== 'vae-graph') fields.push('width')
  fields.push('learningRate')
  if (gans.includes(recipe) || recipe === 'vaegan') fields.push('discriminatorLearningRate')
  fields.push('beta1', 'beta2')
  if (bceDiscriminator.includes(recipe)) fields.push('labelSmoothing')
  if (['dcgan', 'cgan', 'acgan', 'sgan'].includes(recipe)) fields.push('instanceNoise')
  if (recipe === 'sgan') fields.push('unsupervisedWeight', 'arch')
  if (recipe === 'wgan-gp') fields.push('gradientPenalty', 'criticSteps')
  if (['vae', 'cvae', 'vaegan', 'gen-bayes', 'vae-graph'].includes(recipe)) fields.push('klWeight')
  if (['vae', 'cvae', 'gen-bayes'].includes(recipe)) fields.push('decoder')
  if (recipe === 'vaegan') fields.push('featureWeight')
  if (labelBudgetRecipes.includes(recipe)) fields.push('labelsPerClass')
  if (recipe === 'gen-bayes') fields.push('importanceSamples', 'oodQuantile')
  if (recipe === 'vae-graph') fields.push('neighbours', 'propagation')
  fields.push('snapshotsPerEpoch', 'scoreSamples', 'seed')
  return fields
}

export interface FieldInfo {
  label: string
  group:
    'Training' | 'Networks' | 'Objective' | 'Labels and classification' | 'Timelapse and scores'
  step?: number
  unit?: string
  hint?: string
}

/** How each numeric setting is labelled and grouped (the decoder is a select of its own). */
export const fieldInfo: Record<
  // minSteps keeps its default here (the dialog says the planned length before starting).
  Exclude<GenerativeField, ChoiceField | 'seed' | 'minSteps'>,
  FieldInfo
> = {
  epochs: { label: 'Epochs', group: 'Training', step: 1 },
  batchSize: { label: 'Batch size', group: 'Training', step: 1 },
  learningRate: { label: 'Learning rate G', group: 'Training', hint: 'Generator / VAE.' },
  discriminatorLearningRate: {
    label: 'Learning rate D',
    group: 'Training',
    hint: 'Discriminator / critic.'
  },
  beta1: { label: 'Adam β1', group: 'Training', hint: '0.5 for GANs, 0 for WGAN-GP.' },
  beta2: { label: 'Adam β2', group: 'Training' },
  latentDim: {
    label: 'Latent size',
    group: 'Networks',
    step: 1,
    hint: '2 maps a VAE latent directly.'
  },
  width: { label: 'Width', group: 'Networks', step: 1, unit: 'channels', hint: 'First conv.' },
  labelSmoothing: {
    label: 'Label smoothing',
    group: 'Objective',
    hint: 'Real target 1 − this; 0.1 calms D.'
  },
  instanceNoise: {
    label: 'Instance noise σ',
    group: 'Objective',
    hint: 'Fades to 0 over the run.'
  },
  gradientPenalty: { label: 'Gradient penalty λ', group: 'Objective' },
  criticSteps: { label: 'Critic steps', group: 'Objective', step: 1, hint: 'Per generator step.' },
  klWeight: { label: 'KL weight β', group: 'Objective', hint: '1: the plain VAE.' },
  featureWeight: {
    label: 'Feature weight',
    group: 'Objective',
    hint: 'Feature reconstruction vs GAN.'
  },
  unsupervisedWeight: {
    label: 'Unsupervised weight',
    group: 'Objective',
    hint: 'Real-vs-fake term against the labelled one.'
  },
  labelsPerClass: {
    label: 'Labels per class',
    group: 'Labels and classification',
    step: 1,
    hint: '0: every label. Fewer: a stratified draw with the seed.'
  },
  importanceSamples: {
    label: 'Importance samples',
    group: 'Labels and classification',
    step: 1,
    hint: 'Of the bound on log p(x|c); 1 is the ELBO.'
  },
  neighbours: {
    label: 'Graph neighbours k',
    group: 'Labels and classification',
    step: 1,
    hint: 'Of each latent mean; 10 in the paper.'
  },
  oodQuantile: {
    label: 'OOD quantile',
    group: 'Labels and classification',
    hint: 'Share of validation images below the threshold.'
  },
  snapshotsPerEpoch: {
    label: 'Snapshots per epoch',
    group: 'Timelapse and scores',
    step: 1,
    hint: 'Frames of the timelapse.'
  },
  scoreSamples: {
    label: 'Score samples',
    group: 'Timelapse and scores',
    step: 100,
    hint: 'Images per FD measurement.'
  }
}

/**
 * The form for another recipe: every value the person left at the old recipe's default takes the
 * new recipe's default (β1 0.5 → 0 for WGAN-GP), while values they typed are kept.
 */
export function switchRecipe(
  form: GenerativeForm,
  from: GenerativeRecipe,
  to: GenerativeRecipe
): GenerativeForm {
  return switchDefaults(form, generativeDefaults(from), generativeDefaults(to))
}

/** The settings chosen from a list, each option with what it means (shown as the hint). */
export const choiceFields = {
  decoder: {
    label: 'Decoder',
    group: 'Networks',
    options: {
      bernoulli: 'Cross-entropy per pixel; for mostly black-and-white images.',
      gaussian: 'Squared error (Gaussian, σ = 0.1); for photos.'
    }
  },
  arch: {
    label: 'Networks',
    group: 'Networks',
    options: {
      dcgan: 'The convolutional DCGAN networks of every GAN here.',
      'mlp-wn': 'The paper’s MNIST MLPs, weight-normalised D; a GPU job at 300 epochs.'
    }
  },
  propagation: {
    label: 'Propagation',
    group: 'Labels and classification',
    options: {
      poisson: 'Poisson learning: holds up at 1–10 labels per class.',
      laplace: 'Laplace learning: the harmonic extension; weak at very few labels.'
    }
  }
} satisfies Record<
  string,
  { label: string; group: FieldInfo['group']; options: Record<string, string> }
>
export type ChoiceField = keyof typeof choiceFields

/** The form with a choice made: SGAN's networks bring their own defaults (see `switchArch`). */
export function choose(form: GenerativeForm, key: ChoiceField, value: string): GenerativeForm {
  if (key === 'arch') return switchArch(form, value as GenerativeForm['arch'])
  return { ...form, [key]: value }
}

/** SGAN's networks switched: the paper's MLP brings its own defaults (z 100, batch 100, 3e-3). */
export function switchArch(form: GenerativeForm, to: GenerativeForm['arch']): GenerativeForm {
  return {
    ...switchDefaults(form, generativeDefaults('sgan', form.arch), generativeDefaults('sgan', to)),
    arch: to
  }
}

function switchDefaults(form: GenerativeForm, from: object, to: object): GenerativeForm {
  const before = from as Record<string, unknown>
  const after = to as Record<string, unknown>
  const out: Record<string, unknown> = { ...after }
  for (const [key, value] of Object.entries(form))
    if (!Object.is(value, before[key])) out[key] = value
  return out as GenerativeForm
}

/** What `runs/start` gets: only the settings the recipe reads. */
export function generativeSubmission(
  recipe: GenerativeRecipe,
  form: GenerativeForm
): GenerativeConfigInput {
  return Object.fromEntries(
    recipeFields(recipe).map((key) => [key, form[key]])
  ) as GenerativeConfigInput
}

/**
 * Another run's stored config, made editable: unknown keys are dropped and a value that no longer
 * validates falls back to the recipe's default.
 */
export function restoreGenerativeConfig(recipe: GenerativeRecipe, raw: unknown): GenerativeForm {
  const form: Record<string, unknown> = { ...generativeDefaults(recipe) }
  if (typeof raw !== 'object' || raw === null) return form as GenerativeForm
  for (const key of Object.keys(form)) {
    const value = (raw as Record<string, unknown>)[key]
    if (value === undefined) continue
    if (generativeConfigSchema.safeParse({ [key]: value }).success) form[key] = value
  }
  return form as GenerativeForm
}
