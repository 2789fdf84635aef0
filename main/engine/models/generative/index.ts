/** The generative recipes by name (each file cites its paper). */
import * as tf from '@tensorflow/tfjs-core'
import { buildAcgan } from './acgan'
import { buildDcgan } from './dcgan'
import type { GenerativeModel, RecipeContext } from './recipe'
import { buildGenerativeBayes } from './generativeBayes'
import { buildSgan } from './sgan'
import { buildSganMlp } from './sganMlp'
import { buildVae } from './vae'
import { buildVaeGan } from './vaeGan'
import { buildVaeGraph } from './vaeGraph'
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
      return context.config.arch === 'mlp-wn' ? buildSganMlp(context) : buildSgan(context)
    case 'gen-bayes':
      return buildGenerativeBayes(context)
    case 'vae-graph':
      return buildVaeGraph(context)
  }
}

/** Disposes every network and optimiser of a model. */
export function disposeGenerativeModel(model: GenerativeModel): void {
  for (const net of Object.values(model.nets)) net.dispose()
  for (const optimizer of Object.values(model.optimizers)) optimizer.dispose()
  tf.dispose(Object.values(model.buffers ?? {}))
}
