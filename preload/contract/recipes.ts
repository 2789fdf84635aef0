/** The recipes a run can follow, and the families they fall into. */

/** Generative recipes: GANs, VAEs and their hybrid (see main/engine/models/generative). */
export const generativeRecipes = [
  'dcgan',
  'cgan',
  'acgan',
  'wgan-gp',
  'vae',
  'cvae',
  'vaegan',
  'sgan',
  'gen-bayes',
  'vae-graph'
] as const
export type GenerativeRecipe = (typeof generativeRecipes)[number]
/**
 * Classifiers that learn from a generative run's output (main/runs/generatedDataRuns.ts): `augment`
 * trains on real images plus a conditional generator's, `cas` on generated images only (Ravuri &
 * Vinyals 2019's Classification Accuracy Score), `self-train` on the labelled images plus those a
 * vae-graph run labelled confidently (main/runs/selfTraining.ts).
 */
export const syntheticRecipes = ['augment', 'cas', 'self-train'] as const
export type SyntheticRecipe = (typeof syntheticRecipes)[number]
export const recipeNames = ['classifier', ...generativeRecipes, ...syntheticRecipes] as const
export type RecipeName = (typeof recipeNames)[number]
/** Recipes whose generator takes a class label (class-conditional grids, per-class samples). */
export const conditionalRecipes: readonly GenerativeRecipe[] = [
  'cgan',
  'acgan',
  'cvae',
  'gen-bayes'
]
/**
 * Generative recipes that are also classifiers: SGAN's and ACGAN's discriminators, and the
 * generative Bayes classifier (a cVAE's class-conditional likelihoods). Their runs end with the
 * same evaluation as a classifier's.
 */
export const classifyingGenerativeRecipes: readonly GenerativeRecipe[] = [
  'sgan',
  'acgan',
  'gen-bayes',
  'vae-graph'
]
/** Every recipe whose run ends with a test-split evaluation (accuracy, confusion matrix). */
export const classifyingRecipes: readonly string[] = [
  'classifier',
  ...classifyingGenerativeRecipes,
  ...syntheticRecipes
]
export const isGenerative = (recipe: string): recipe is GenerativeRecipe =>
  (generativeRecipes as readonly string[]).includes(recipe)
export const isSynthetic = (recipe: string): recipe is SyntheticRecipe =>
  (syntheticRecipes as readonly string[]).includes(recipe)
/** Recipes with an encoder q(z|x): reconstructions, latent maps and traversals. */
export const vaeRecipes: readonly GenerativeRecipe[] = [
  'vae',
  'cvae',
  'vaegan',
  'gen-bayes',
  'vae-graph'
]
export const isVae = (recipe: string): boolean => (vaeRecipes as readonly string[]).includes(recipe)
/** Conditional VAEs: one image's code decoded under every class (counterfactuals). */
export const conditionalVaeRecipes: readonly GenerativeRecipe[] = ['cvae', 'gen-bayes']
