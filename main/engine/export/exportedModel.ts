/**
 * An exported folder opened for prediction: its classifier network, in either format — TF.js
 * through tfjs-layers' loader, ONNX through onnxruntime-node — fed by the same decoding and the
 * preprocessing its metadata.json states, so an export of either kind is never a dead end.
 */
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import * as ort from 'onnxruntime-node'
import { readExportMetadata } from './exportMetadata'
import { loadLayersModelFromFolder } from './tfjsFiles'
import { normalised, tfjsPredictor, type Preprocessing } from './modelInput'
import type { ClassScorer, TrainedModel } from './trainedModelTypes'

export async function loadExportedModel(dir: string): Promise<TrainedModel> {
  const metadata = readExportMetadata(dir)
  const network = metadata.networks.find((n) => n.role === 'classifier')
  if (!network)
    throw new Error(
      `${dir} holds no classifier (it is a ${metadata.recipe} export: ` +
        `${metadata.networks.map((n) => n.role).join(', ')}); predict with a classifier's export or with the run itself.`
    )
  const shape = metadata.input
  const preprocessing: Preprocessing = {
    normalisation: metadata.preprocessing.normalisation,
    stats: metadata.preprocessing.mean
      ? { mean: metadata.preprocessing.mean, std: metadata.preprocessing.std! }
      : undefined
  }
  const base = { classes: metadata.labels.length, shape, preprocessing, networks: [] }
  if (metadata.modelFormat === 'onnx') {
    const session = await ort.InferenceSession.create(join(dir, network.file))
    return {
      ...base,
      predict: async (pixels, count) => {
        const x = normalised(pixels, count, shape, preprocessing)
        const input = new ort.Tensor('float32', x, [
          count,
          shape.height,
          shape.width,
          shape.channels
        ])
        const out = await session.run({ [session.inputNames[0]]: input })
        return { probabilities: out[session.outputNames[0]].data as Float32Array }
      },
      dispose: () => void session.release()
    }
  }
  const model = await loadLayersModelFromFolder(dir, network.file)
  return {
    ...base,
    predict: tfjsPredictor(model, shape, preprocessing),
    scorer: exportedScorer(model),
    dispose: () => model.dispose()
  }
}

/**
 * An exported classifier's scores for explanations: its logits, the input of the softmax the
 * export ends with (the workbench's exports always do); a model without one is explained by
 * log-probabilities.
 */
function exportedScorer(model: tfl.LayersModel): ClassScorer {
  const last = model.layers[model.layers.length - 1]
  const activation = (last.getConfig() as { activation?: string }).activation
  if (last.getClassName() === 'Activation' && activation === 'softmax') {
    const logits = tfl.model({ inputs: model.inputs, outputs: last.input as tfl.SymbolicTensor })
    return {
      score: 'logit',
      scores: (x) => logits.apply(x, { training: false }) as tf.Tensor2D,
      network: { model: logits, output: 0 },
      weights: model.trainableWeights
    }
  }
  return {
    score: 'log-posterior',
    scores: (x) =>
      tf.log(tf.add(model.apply(x, { training: false }) as tf.Tensor2D, 1e-12)) as tf.Tensor2D,
    weights: model.trainableWeights
  }
}
