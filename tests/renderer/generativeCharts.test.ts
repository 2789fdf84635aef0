import { describe, expect, it } from 'vitest'
import { generativeRecipes } from '../../preload/contract'
import {
  generativeCharts,
  progressLosses,
  uniqueStepPoints
} from '../../renderer/src/generativeCharts'

const metricsOf = (recipe: (typeof generativeRecipes)[number]): string[] =>
  generativeCharts(recipe).flatMap((c) => c.lines.map((l) => l.metric))

describe("a generative run's charts", () => {
  it('put D and G losses of a GAN on one chart', () => {
    const [losses] = generativeCharts('dcgan')
    expect(losses.lines.map((l) => l.metric)).toEqual(['d/loss', 'g/loss'])
    expect(metricsOf('acgan')).toContain('d/class_loss')
    expect(metricsOf('dcgan')).not.toContain('vae/kl')
  })

  it("split SGAN's discriminator loss and show its accuracy on labelled batches", () => {
    expect(metricsOf('sgan')).toEqual(
      expect.arrayContaining([
        'd/loss',
        'g/loss',
        'd/supervised_loss',
        'd/unsupervised_loss',
        'd/labelled_accuracy'
      ])
    )
    const accuracy = generativeCharts('sgan').find((c) =>
      c.lines.some((l) => l.metric === 'd/labelled_accuracy')
    )
    expect(accuracy?.percent).toBe(true)
  })

  it('show the generative Bayes classifier the losses of the cVAE it trains', () => {
    expect(metricsOf('gen-bayes')).toEqual(
      expect.arrayContaining(['loss', 'vae/reconstruction', 'vae/kl'])
    )
    expect(metricsOf('gen-bayes')).not.toContain('d/loss')
  })

  it('add the Wasserstein estimate and gradient penalty for WGAN-GP', () => {
    const titles = generativeCharts('wgan-gp').map((c) => c.title)
    expect(titles[0]).toBe('Critic and generator loss per step')
    expect(metricsOf('wgan-gp')).toEqual(
      expect.arrayContaining(['d/wasserstein', 'd/gradient_penalty'])
    )
  })

  it('show reconstruction and KL for VAEs, feature reconstruction for VAE-GAN', () => {
    expect(metricsOf('vae')).toEqual(
      expect.arrayContaining(['loss', 'vae/reconstruction', 'vae/kl'])
    )
    expect(metricsOf('vae')).not.toContain('d/loss')
    expect(metricsOf('vaegan')).toEqual(
      expect.arrayContaining(['d/loss', 'g/loss', 'vae/feature_reconstruction', 'vae/kl'])
    )
  })

  it('always end with sample diversity and FD, never called FID', () => {
    for (const recipe of generativeRecipes) {
      const titles = generativeCharts(recipe).map((c) => c.title)
      expect(titles.slice(-2)).toEqual(['Sample diversity', 'FD (dataset classifier)'])
      expect(titles.join(' ')).not.toMatch(/FID/)
      expect(
        generativeCharts(recipe)
          .filter((c) => c.optional)
          .map((c) => c.title)
      ).toEqual(['FD (dataset classifier)'])
    }
  })

  it('keep one point per step, the latest', () => {
    expect(
      uniqueStepPoints([
        { step: 0, epoch: 0, value: 1 },
        { step: 40, epoch: 1, value: 2 },
        { step: 40, epoch: 0, value: 3 },
        { step: 80, epoch: 1, value: 4 }
      ])
    ).toEqual([
      [0, 1],
      [40, 3],
      [80, 4]
    ])
    expect(uniqueStepPoints(undefined)).toEqual([])
  })

  it('show D and G losses in the progress line, or the one loss', () => {
    expect(progressLosses({ 'd/loss': 0.7, 'g/loss': 1.2 })).toEqual([
      { label: 'D loss', value: 0.7 },
      { label: 'G loss', value: 1.2 }
    ])
    expect(progressLosses({ loss: 0.3, lr: 0.001 })).toEqual([{ label: 'loss', value: 0.3 }])
    expect(progressLosses({})).toEqual([{ label: 'loss', value: undefined }])
  })
})
