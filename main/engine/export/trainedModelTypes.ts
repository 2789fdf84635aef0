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

/**
 * A classifier's class scores as a differentiable function of its (preprocessed) input: what the
 * saliency maps of engine/explain differentiate.
 */
export interface ClassScorer {
  /** What a score is: the class logit, or log p(c|x) for likelihood classifiers. */
  score: 'logit' | 'log-posterior'
  /** Class scores [n × classes] of preprocessed images; differentiable with tf.grad. */
  scores(x: tf.Tensor4D): tf.Tensor2D
  /** The layers network whose output `output` is the scores, for Grad-CAM (absent: not one network). */
  network?: { model: tfl.LayersModel; output: number }
  /** The learnt weights, which the randomisation sanity check redraws. */
  weights: tfl.LayerVariable[]
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
  /** Classifiers rebuilt from a run: their scores as a differentiable function (explanations). */
  scorer?: ClassScorer
  /** Generators: a grid of fresh samples for the model card. */
  samples?(): Promise<PixelBatch>
  dispose(): void
}
