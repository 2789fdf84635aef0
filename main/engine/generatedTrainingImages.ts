/**
 * The generated training images of augment and CAS runs: a saved conditional generator draws
 * `perClass` images of every class at the start of the run, deterministic for the seed, as uint8
 * pixels like the dataset cache's, so they flow through the same batches and augmentation.
 */
import * as tf from '@tensorflow/tfjs-core'
import { disposeGenerativeModel } from './models/generative'
import { latentCodes } from './models/generative/recipe'
import type { GeneratedImagesSpec } from './engineMessages'
import { loadSaved } from './generative/savedModel'
import { toPixels } from './generative/sampleImages'
import type { GeneratedSet } from './batchSources'

const generationBatch = 256

export async function generateTrainingImages(spec: GeneratedImagesSpec): Promise<GeneratedSet> {
  const model = await loadSaved(spec.model)
  try {
    if (!model.conditional)
      throw new Error(
        `A ${spec.model.recipe} generator is not class-conditional, so its images have no labels; ` +
          'choose a cgan, acgan, cvae or gen-bayes run.'
      )
    const { classes, height, width, channels } = spec.model.shape
    // Classes interleaved (0, 1, …, K−1, 0, 1, …), so every batch of the generator is balanced.
    const labels = Array.from({ length: spec.perClass * classes }, (_, i) => i % classes)
    const size = height * width * channels
    const pixels = new Uint8Array(labels.length * size)
    for (let start = 0, part = 0; start < labels.length; start += generationBatch, part++) {
      const chunk = labels.slice(start, start + generationBatch)
      const images = tf.tidy(() =>
        model.generate(
          latentCodes(chunk.length, spec.model.config.latentDim, spec.seed, part, 77),
          tf.tensor1d(chunk, 'int32')
        )
      )
      pixels.set((await toPixels(images)).pixels, start * size)
      images.dispose()
    }
    return { pixels, labels }
  } finally {
    disposeGenerativeModel(model)
  }
}
