/**
 * Fine-tuning from an exported TF.js folder: its weights become a new run's starting point, so an
 * export is never a dead end. The run builds the same preset and takes every weight in order; when
 * the new dataset has another number of classes, only the last layer (the logits) starts fresh.
 */
import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { readExportMetadata, tfjsClassifierOf } from './exportMetadata'
import { loadLayersModelFromFolder } from './tfjsFiles'

/** Loads the export's classifier weights into `model`. */
export async function initialiseFromExport(model: tfl.LayersModel, dir: string): Promise<void> {
  const metadata = readExportMetadata(dir)
  const network = tfjsClassifierOf(metadata, dir)
  const exported = await loadLayersModelFromFolder(dir, network.file)
  try {
    const source = exported.getWeights()
    const target = model.weights
    const shapeOf = (t: { shape: readonly (number | null)[] }): string => t.shape.join('×')
    if (source.length !== target.length)
      throw new Error(
        `The export in ${dir} is a ${metadata.preset ?? metadata.recipe} with ${source.length} weights; ` +
          `this run's network has ${target.length}. Pick the preset it was trained with (${metadata.preset ?? 'see its metadata.json'}).`
      )
    // The last two weights are the logits' kernel and bias: another class count keeps them fresh.
    const head = target.length - 2
    const values: tf.Tensor[] = source.map((weight, i) => {
      if (shapeOf(weight) === shapeOf(target[i])) return weight
      if (i >= head) return target[i].read()
      throw new Error(
        `The export in ${dir} was trained on ${metadata.input.height}×${metadata.input.width}×` +
          `${metadata.input.channels} images (weight ${i}: ${shapeOf(weight)} here ${shapeOf(target[i])}); ` +
          'fine-tune it on a dataset imported at that size and channel count.'
      )
    })
    model.setWeights(values)
  } finally {
    exported.dispose()
  }
}
