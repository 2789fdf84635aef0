/**
 * Fine-tuning from an exported TF.js folder: its weights become a new run's starting point, so an
 * export is never a dead end. The run builds the same preset and takes every weight in order; when
 * the new dataset has another number of classes, only the last layer (the logits) starts fresh.
 */
import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import { readExportMetadata } from './exportMetadata'
import { loadLayersModelFromFolder } from './tfjsFiles'

/** Loads the export's classifier weights into `model`; says what was taken. */
export async function initialiseFromExport(model: tfl.LayersModel, dir: string): Promise<string> {
  const metadata = readExportMetadata(dir)
  const network = metadata.networks.find((n) => n.role === 'classifier')
  if (metadata.modelFormat !== 'tfjs' || !network)
    throw new Error(
      `${dir} holds no TF.js classifier to start from; export a classifier run as TF.js first.`
    )
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
    const head = target.length - 2
    let freshHead = false
    const values: tf.Tensor[] = source.map((weight, i) => {
      if (shapeOf(weight) === shapeOf(target[i])) return weight
      if (i >= head) {
        freshHead = true
        return target[i].read()
      }
      throw new Error(
        `The export in ${dir} was trained on ${metadata.input.height}×${metadata.input.width}×` +
          `${metadata.input.channels} images (weight ${i}: ${shapeOf(weight)} here ${shapeOf(target[i])}); ` +
          'fine-tune it on a dataset imported at that size and channel count.'
      )
    })
    model.setWeights(values)
    return freshHead
      ? `every weight of ${dir} but the last layer (${metadata.labels.length} classes there, a new head here)`
      : `every weight of ${dir}`
  } finally {
    exported.dispose()
  }
}
