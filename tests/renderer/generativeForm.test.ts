import { describe, expect, it } from 'vitest'
import {
  generativeConfigSchema,
  generativeDefaults,
  generativeRecipes,
  recipeNames
} from '../../preload/contract'
import {
  generativeSubmission,
  recipeDescriptions,
  recipeFields,
  restoreGenerativeConfig,
  switchRecipe
} from '../../renderer/src/generativeForm'

describe('the new-run form for generative recipes', () => {
  it('describes every recipe in one line', () => {
    for (const recipe of recipeNames) {
      expect(recipeDescriptions[recipe].length).toBeGreaterThan(20)
      expect(recipeDescriptions[recipe]).not.toMatch(/\n/)
    }
  })

  it('shows each recipe only the settings it reads', () => {
    expect(recipeFields('wgan-gp')).toEqual(
      expect.arrayContaining(['gradientPenalty', 'criticSteps', 'discriminatorLearningRate'])
    )
    expect(recipeFields('wgan-gp')).not.toContain('labelSmoothing')
    expect(recipeFields('dcgan')).toEqual(
      expect.arrayContaining(['labelSmoothing', 'instanceNoise'])
    )
    expect(recipeFields('dcgan')).not.toContain('klWeight')
    expect(recipeFields('vae')).toEqual(expect.arrayContaining(['klWeight', 'decoder']))
    expect(recipeFields('vae')).not.toContain('discriminatorLearningRate')
    expect(recipeFields('vaegan')).toEqual(
      expect.arrayContaining(['featureWeight', 'klWeight', 'labelSmoothing'])
    )
    expect(recipeFields('vaegan')).not.toContain('decoder')
  })

  it('gives the classifying recipes a label budget, and their own settings', () => {
    for (const recipe of ['sgan', 'acgan', 'gen-bayes', 'cgan', 'cvae'] as const)
      expect(recipeFields(recipe)).toContain('labelsPerClass')
    expect(recipeFields('dcgan')).not.toContain('labelsPerClass')
    expect(recipeFields('sgan')).toEqual(
      expect.arrayContaining(['unsupervisedWeight', 'instanceNoise', 'discriminatorLearningRate'])
    )
    expect(recipeFields('sgan')).not.toContain('importanceSamples')
    expect(recipeFields('gen-bayes')).toEqual(
      expect.arrayContaining(['importanceSamples', 'oodQuantile', 'klWeight', 'decoder'])
    )
    expect(recipeFields('gen-bayes')).not.toContain('unsupervisedWeight')
    expect(recipeDescriptions.sgan).toMatch(/Salimans/)
    expect(recipeDescriptions['gen-bayes']).toMatch(/Bayes/)
  })

  it('sends only the shown settings, and they validate', () => {
    for (const recipe of generativeRecipes) {
      const sent = generativeSubmission(recipe, generativeDefaults(recipe))
      expect(Object.keys(sent).sort()).toEqual([...recipeFields(recipe)].sort())
      expect(generativeConfigSchema.safeParse(sent).success).toBe(true)
    }
  })

  it('takes the new recipe defaults on a switch but keeps what was typed', () => {
    const form = { ...generativeDefaults('dcgan'), epochs: 2 }
    const wgan = switchRecipe(form, 'dcgan', 'wgan-gp')
    expect(wgan.beta1).toBe(0) // the dcgan default 0.5 followed the recipe
    expect(wgan.criticSteps).toBe(5)
    expect(wgan.epochs).toBe(2) // typed: kept
    const vae = switchRecipe({ ...wgan, beta1: 0.7 }, 'wgan-gp', 'vae')
    expect(vae.beta1).toBe(0.7)
    expect(vae.learningRate).toBe(1e-3)
    expect(vae.latentDim).toBe(16)
  })

  it("restores another run's config, dropping what no longer fits", () => {
    const restored = restoreGenerativeConfig('cgan', {
      epochs: 3,
      latentDim: 1, // below the minimum: back to the default
      decoder: 'poisson',
      evaluatorRunId: 4,
      unknown: true
    })
    expect(restored).toEqual({ ...generativeDefaults('cgan'), epochs: 3 })
    expect(restoreGenerativeConfig('vae', null)).toEqual(generativeDefaults('vae'))
  })
})
