/**
 * A trained model opened for export or prediction, whichever way it was loaded (a run's
 * checkpoint or an exported folder): its networks and, for classifiers, a predictor.
 */
import type * as tf from '@tensorflow/tfjs-core'
import type * as tfl from '@tensorflow/tfjs-layers'
import type { ExportedNetwork } from '../../../preload/contract'
import type { PixelBatch } from '../../datasets/pixelImages'
import type { InputShape, Preprocessing } from './modelInput'

export interface ExportableNetwork {
  role: ExportedNetwork['role']
  /** File stem: model (the first network), encoder, generator, classifier. */
  name: string
  model: tfl.LayersModel
  /** What the input holds and what comes out, for the model card and ONNX metadata. */
  input: string
  output: string
  /** The check inputs (caller disposes) and what they are. */
  checkInputs(): Promise<tf.Tensor>
  checkInputsAre: string
}

export interface TrainedModel {
  classes: number
  shape: InputShape
  preprocessing: Preprocessing
  networks: ExportableNetwork[]
  /** Class probabilities [n × classes] of uint8 images; likelihood models also say which are OOD. */
  predict?(
    pixels: Uint8Array,
    count: number
  ): Promise<{ probabilities: Float32Array; ood?: boolean[] }>
  /** Generators: a grid of fresh samples for the model card. */
  samples?(): Promise<PixelBatch>
  dispose(): void
}
