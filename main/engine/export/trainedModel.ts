/**
 * A trained model rebuilt in the engine worker, ready to export or to predict with: its networks
 * (each with the inputs an export is checked on), its preprocessing, and class probabilities of
 * uint8 images. One loader for runs (classifier checkpoints and generative checkpoints) and for
 * exported TF.js folders, so predicting from a run and from its export go through the same code.
 */
import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import { readCheckpoint, restoreModelWeights } from '../checkpoint'
import type { TrainerState } from '../trainer'
import type { DatasetData, ModelSource } from '../engineMessages'
import { bestLogLikelihood, logClassPrior, logPosterior } from '../generative/classifyImages'
import { loadSaved } from '../generative/savedModel'
import { toPixels } from '../generative/sampleImages'
import { readCachedImages } from '../../datasets/imageCache'
import { channelStats, type ChannelStats } from '../../datasets/normalize'
import { buildClassifier } from '../models/classifierPresets'
import { disposeGenerativeModel } from '../models/generative'
import { labelPlanes, withLabels } from '../models/generative/networks'
import { latentCodes, type GenerativeModel } from '../models/generative/recipe'
import { loadExportedModel } from './exportedModel'
import { tfjsPredictor, toInput, type InputShape, type Preprocessing } from './modelInput'
import type { ExportableNetwork, TrainedModel } from './trainedModelTypes'

/** Images (or codes) every export is checked on. */
export const checkCount = 64

export async function loadTrainedModel(source: ModelSource): Promise<TrainedModel> {
  switch (source.kind) {
    case 'classifier':
      return loadClassifier(source)
    case 'generative':
      return loadGenerative(source)
    case 'exported':
      return loadExportedModel(source.dir)
  }
}

/** The first test images of the dataset (only they are read): what classifiers and encoders are checked on. */
async function testImages(
  data: DatasetData
): Promise<{ pixels: Uint8Array; labels: number[]; count: number }> {
  const indices = data.evalIndices.slice(0, checkCount)
  const size = data.height * data.width * data.channels
  const pixels = await readCachedImages(data.cacheFile, indices, size)
  return { pixels, labels: indices.map((i) => data.labels[i]), count: indices.length }
}

/** Statistics of the training split, for checkpoints written before runs kept their own. */
function trainingStats(data: DatasetData): ChannelStats {
  const size = data.height * data.width * data.channels
  return channelStats(readFileSync(data.cacheFile), size, data.channels, data.trainIndices)
}

/** The logits network with a softmax on top: exported classifiers output probabilities. */
function withSoftmax(logits: tfl.LayersModel, output = 0): tfl.LayersModel {
  const probabilities = tfl.layers
    .activation({ activation: 'softmax', name: 'probabilities' })
    .apply(logits.outputs[output]) as tfl.SymbolicTensor
  return tfl.model({ inputs: logits.inputs, outputs: probabilities })
}

function classifierNetwork(
  model: tfl.LayersModel,
  name: string,
  shape: InputShape,
  preprocessing: Preprocessing,
  data: DatasetData
): ExportableNetwork {
  return {
    role: 'classifier',
    name,
    model,
    input: `images [N, ${shape.height}, ${shape.width}, ${shape.channels}] (NHWC, float32, preprocessed as metadata.json says)`,
    output: `class probabilities [N, ${data.classes}] in labels.txt order`,
    checkInputs: async () => {
      const images = await testImages(data)
      return toInput(images.pixels, images.count, shape, preprocessing)
    },
    checkInputsAre: 'test images of the dataset'
  }
}

async function loadClassifier(
  source: Extract<ModelSource, { kind: 'classifier' }>
): Promise<TrainedModel> {
  const { data, config } = source
  const shape = { height: data.height, width: data.width, channels: data.channels }
  const logits = buildClassifier(config.preset, { ...shape, classes: data.classes }, config.seed)
  const checkpoint = readCheckpoint<TrainerState>(source.checkpointFile)
  try {
    restoreModelWeights(logits, checkpoint.weights)
  } finally {
    tf.dispose([...checkpoint.weights, ...checkpoint.optimizer].map((t) => t.tensor))
  }
  const model = withSoftmax(logits)
  // The statistics the run trained with (checkpoints from before they were kept: recomputed).
  const preprocessing = {
    normalisation: config.normalisation,
    stats:
      config.normalisation === 'standardize'
        ? (checkpoint.state.normalisationStats ?? trainingStats(data))
        : undefined
  }
  return {
    classes: data.classes,
    shape,
    preprocessing,
    networks: [classifierNetwork(model, 'model', shape, preprocessing, data)],
    predict: tfjsPredictor(model, shape, preprocessing),
    scorer: {
      score: 'logit',
      scores: (x) => logits.apply(x, { training: false }) as tf.Tensor2D,
      network: { model: logits, output: 0 },
      weights: logits.trainableWeights
    },
    dispose: () => logits.dispose()
  }
}

async function loadGenerative(
  source: Extract<ModelSource, { kind: 'generative' }>
): Promise<TrainedModel> {
  const { data } = source
  const saved = source.model
  const model = await loadSaved(saved)
  const { classes, ...shape } = saved.shape
  const preprocessing: Preprocessing = { normalisation: model.normalisation }
  const latent = saved.config.latentDim
  const conditional = model.conditional
  const codeSize = latent + (conditional ? classes : 0)
  // Seeded codes, classes in turn: the generator's check inputs and the model card's samples.
  const draw = (): { z: tf.Tensor2D; labels: tf.Tensor1D } => ({
    z: latentCodes(checkCount, latent, saved.config.seed, 0, 77),
    labels: tf.tensor1d(
      Array.from({ length: checkCount }, (_, i) => i % classes),
      'int32'
    )
  })
  const codes = async (): Promise<tf.Tensor2D> =>
    tf.tidy(() => {
      const { z, labels } = draw()
      return conditional ? withLabels(z, labels, classes) : z
    })
  const codeInput = `latent codes [N, ${codeSize}]: ${latent} values drawn from N(0, 1)${
    conditional ? ` then a one-hot class (${classes} values, labels.txt order)` : ''
  }`
  const imageOut = `images [N, ${shape.height}, ${shape.width}, ${shape.channels}] (NHWC) in ${
    model.normalisation === 'symmetric'
      ? '[−1, 1] (tanh): pixel = (v + 1) / 2 · 255'
      : '[0, 1]: pixel = v · 255'
  }`
  const networks: ExportableNetwork[] = []
  const nets = model.nets
  const generatorNet = nets.generator ?? nets.decoder
  const decoderRole = nets.decoder ? ('decoder' as const) : ('generator' as const)
  const classifierNet =
    saved.recipe === 'sgan'
      ? withSoftmax(nets.discriminator)
      : saved.recipe === 'acgan'
        ? withSoftmax(nets.discriminator, 1)
        : undefined
  const generator: ExportableNetwork = {
    role: decoderRole,
    name: 'model',
    model: generatorNet,
    input: codeInput,
    output: imageOut,
    checkInputs: codes,
    checkInputsAre: `seeded N(0, 1) codes${conditional ? ', classes in turn' : ''}`
  }
  if (classifierNet) {
    // A discriminator that classifies is the run's classifier: it comes first (model.json).
    networks.push(classifierNetwork(classifierNet, 'model', shape, preprocessing, data))
    networks.push({ ...generator, name: 'generator' })
  } else networks.push(generator)
  if (nets.encoder) {
    const extra = conditional ? classes : 0
    networks.push({
      role: 'encoder',
      name: 'encoder',
      model: nets.encoder,
      input: `images [N, ${shape.height}, ${shape.width}, ${shape.channels + extra}] (NHWC) in [0, 1]${
        conditional ? `, the last ${classes} channels the one-hot class as constant planes` : ''
      }`,
      output: `[latent mean [N, ${latent}], latent log-variance [N, ${latent}]]`,
      checkInputs: async () => {
        const images = await testImages(data)
        return tf.tidy(() => {
          const x = toInput(images.pixels, images.count, shape, preprocessing)
          if (!conditional) return x
          const y = tf.tensor1d(images.labels, 'int32')
          return tf.concat([x, labelPlanes(y, classes, shape)], 3)
        })
      },
      checkInputsAre: 'test images of the dataset' + (conditional ? ' with their classes' : '')
    })
  }
  return {
    classes,
    shape,
    preprocessing,
    networks,
    predict: model.classify
      ? async (pixels, count) => classify(model, source, pixels, count)
      : undefined,
    scorer: classScorer(model),
    samples: async () => {
      const images = tf.tidy(() => {
        const { z, labels } = draw()
        return model.generate(z, conditional ? labels : null)
      })
      const batch = await toPixels(images)
      images.dispose()
      return batch
    },
    // The softmax wrapper holds no weights of its own: disposing the recipe's networks frees all.
    dispose: () => disposeGenerativeModel(model)
  }

  /** The labelled training images' class prior, as the run's evaluation used it. */
  function labelledPrior(): number[] {
    const labelled = source.data.labelledIndices ?? source.data.trainIndices
    return logClassPrior(
      labelled.map((i) => source.data.labels[i]),
      classes
    )
  }

  async function classify(
    model: GenerativeModel,
    src: typeof source,
    pixels: Uint8Array,
    count: number
  ): Promise<{ probabilities: Float32Array; ood?: boolean[] }> {
    const x = toInput(pixels, count, shape, preprocessing)
    const scores = tf.tidy(() => model.classify!(x))
    const values = (await scores.data()) as Float32Array
    tf.dispose([x, scores])
    // Bayes' rule: likelihood models with the labelled training images' class prior (as the
    // run's evaluation did); logits with a uniform prior, which makes it a softmax.
    const likelihood = model.classScores === 'log-likelihood'
    const prior = likelihood ? labelledPrior() : new Array<number>(classes).fill(0)
    const probabilities = new Float32Array(values.length)
    for (let i = 0; i < count; i++) {
      const row = logPosterior(values.subarray(i * classes, (i + 1) * classes), prior)
      row.forEach((v, c) => (probabilities[i * classes + c] = Math.exp(v)))
    }
    if (!likelihood) return { probabilities }
    const best = bestLogLikelihood(values, classes)
    const threshold = src.oodThreshold
    return {
      probabilities,
      ood: threshold === undefined ? undefined : best.map((v) => v < threshold)
    }
  }

  /**
   * The classifying recipes' scores: the discriminator's class logits (SGAN: output 0, ACGAN:
   * output 1), or the generative Bayes classifier's log posterior, log p(x|c) + log p(c) − log p(x).
   */
  function classScorer(model: GenerativeModel): TrainedModel['scorer'] {
    if (!model.classify) return undefined
    const weights = Object.values(model.nets).flatMap((net) => net.trainableWeights)
    if (model.classScores === 'log-likelihood') {
      const prior = labelledPrior()
      return {
        score: 'log-posterior',
        scores: (x) => tf.logSoftmax(tf.add(model.classify!(x), tf.tensor1d(prior))) as tf.Tensor2D,
        weights
      }
    }
    const discriminator = model.nets.discriminator
    const output = saved.recipe === 'acgan' ? 1 : 0
    return {
      score: 'logit',
      scores: (x) => {
        const out = discriminator.apply(x, { training: false })
        return (Array.isArray(out) ? out[output] : out) as tf.Tensor2D
      },
      network: { model: discriminator, output },
      weights
    }
  }
}
