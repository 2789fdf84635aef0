/** The generative recipes by name (each file cites its paper). */
import { buildAcgan } from './acgan'
import { buildDcgan } from './dcgan'
import type { GenerativeModel, RecipeContext } from './recipe'
import { buildGenerativeBayes } from './generativeBayes'
import { buildSgan } from './sgan'
import { buildVae } from './vae'
import { buildVaeGan } from './vaeGan'
import { buildWganGp } from './wganGp'

export function buildGenerativeModel(context: RecipeContext): GenerativeModel {
  switch (context.recipe) {
    case 'dcgan':
      return buildDcgan(context, false)
    case 'cgan':
      return buildDcgan(context, true)
    case 'acgan':
      return buildAcgan(context)
    case 'wgan-gp':
      return buildWganGp(context)
    case 'vae':
      return buildVae(context, false)
    case 'cvae':
      return buildVae(context, true)
    case 'vaegan':
      return buildVaeGan(context)
    case 'sgan':
      return buildSgan(context)
    case 'gen-bayes':
      return buildGenerativeBayes(context)
  }
}

/** Disposes every network and optimiser of a model. */
export function disposeGenerativeModel(model: GenerativeModel): void {
  for (const net of Object.values(model.nets)) net.dispose()
  for (const optimizer of Object.values(model.optimizers)) optimizer.dispose()
}
