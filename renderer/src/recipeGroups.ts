/**
 * The new-run form's recipe picker, grouped by what the researcher wants to do rather than by
 * model family: a recipe is found by its purpose, each with one line saying what it is for.
 */
import type { RecipeName } from '../../preload/contract'

export interface RecipeGroup {
  /** What the researcher wants: "Classify with few labels". */
  label: string
  /** One line under the heading: when to pick a recipe of this group. */
  why: string
  recipes: readonly RecipeName[]
}

export const recipeGroups: readonly RecipeGroup[] = [
  {
    label: 'Classify',
    why: 'Every image labelled: train a classifier.',
    recipes: ['classifier']
  },
  {
    label: 'Classify with few labels',
    why: 'Most images unlabelled: let a generative model help.',
    recipes: ['sgan', 'vae-graph', 'self-train', 'gen-bayes', 'augment']
  },
  {
    label: 'Generate images',
    why: 'Learn to draw new images like the dataset’s.',
    recipes: ['dcgan', 'wgan-gp', 'cgan', 'acgan', 'vae', 'cvae', 'vaegan']
  },
  {
    label: 'Measure a generator',
    why: 'How useful are a generator’s images? (FD is scored on every generator run.)',
    recipes: ['cas']
  }
]

/** One short line per recipe, shown beside its name in the picker. */
export const recipeLines: Record<RecipeName, string> = {
  classifier: 'A CNN that labels images.',
  sgan: 'GAN whose discriminator also classifies.',
  'vae-graph': 'VAE latent space + label propagation.',
  'self-train': 'CNN on labels plus vae-graph’s confident guesses.',
  'gen-bayes': 'Conditional VAE, classifies by Bayes’ rule.',
  augment: 'CNN on real plus generated images.',
  dcgan: 'Convolutional GAN, the classic.',
  'wgan-gp': 'Wasserstein GAN: stabler, slower.',
  cgan: 'GAN told which class to draw.',
  acgan: 'GAN whose judge names the class.',
  vae: 'Encodes and decodes; smooth latent space.',
  cvae: 'VAE told which class to draw.',
  vaegan: 'VAE judged by a discriminator: sharper.',
  cas: 'CNN trained only on generated images, tested on real.'
}

/** The group a recipe belongs to (every recipe is in exactly one). */
export const groupOf = (recipe: RecipeName): RecipeGroup =>
  recipeGroups.find((g) => g.recipes.includes(recipe))!
