/**
 * The classifier presets a run can pick: the reference CNN (small, the benchmark's model), a deeper
 * CNN with batch norm and dropout, and a small ResNet. All output logits; all seed every initial
 * weight, so a run is reproducible for its seed.
 */
import * as tfl from '@tensorflow/tfjs-layers'
import type { ClassifierPreset } from '../../../preload/contract'
import { buildReferenceCnn } from './referenceCnn'

export interface ClassifierShape {
  height: number
  width: number
  channels: number
  classes: number
}

export function buildClassifier(
  preset: ClassifierPreset,
  shape: ClassifierShape,
  seed: number
): tfl.LayersModel {
  switch (preset) {
    case 'small-cnn':
      return buildReferenceCnn(shape, seed)
    case 'deep-cnn':
      return buildDeepCnn(shape, seed)
    case 'resnet-small':
      return buildSmallResnet(shape, seed)
  }
}

/** One distinct seeded initialiser per layer, in build order. */
function seededInit(
  seed: number
): () => { kernelInitializer: ReturnType<typeof tfl.initializers.heNormal> } {
  let layer = 0
  return () => ({
    kernelInitializer: tfl.initializers.heNormal({ seed: seed * 100 + layer++ })
  })
}

/**
 * [conv3×3 → BN → ReLU]×2 → maxpool → dropout, at 32 then 64 filters, then global average pooling
 * → dense 128 → dropout 0.5 → logits. Convolutions feeding batch norm need no bias.
 */
function buildDeepCnn(shape: ClassifierShape, seed: number): tfl.LayersModel {
  const init = seededInit(seed)
  const model = tfl.sequential()
  const block = (filters: number, first: boolean): void => {
    for (let i = 0; i < 2; i++) {
      model.add(
        tfl.layers.conv2d({
          ...(first && i === 0 ? { inputShape: [shape.height, shape.width, shape.channels] } : {}),
          filters,
          kernelSize: 3,
          padding: 'same',
          useBias: false,
          ...init()
        })
      )
      model.add(tfl.layers.batchNormalization())
      model.add(tfl.layers.reLU())
    }
    model.add(tfl.layers.maxPooling2d({ poolSize: 2 }))
    model.add(tfl.layers.dropout({ rate: 0.25 }))
  }
  block(32, true)
  block(64, false)
  model.add(tfl.layers.globalAveragePooling2d({}))
  model.add(tfl.layers.dense({ units: 128, activation: 'relu', ...init() }))
  model.add(tfl.layers.dropout({ rate: 0.5 }))
  model.add(tfl.layers.dense({ units: shape.classes, ...init() }))
  return model
}

/**
 * A ResNet-8: conv3×3 16 stem, three stages of one basic block (16, 32, 64 channels; stride 2
 * from the second stage, with a 1×1 projection shortcut), global average pooling, logits.
 */
function buildSmallResnet(shape: ClassifierShape, seed: number): tfl.LayersModel {
  const init = seededInit(seed)
  const conv = (filters: number, kernelSize: number, strides: number): tfl.layers.Layer =>
    tfl.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, ...init() })
  const input = tfl.input({ shape: [shape.height, shape.width, shape.channels] })
  const bnRelu = (x: tfl.SymbolicTensor): tfl.SymbolicTensor =>
    tfl.layers.reLU().apply(tfl.layers.batchNormalization().apply(x)) as tfl.SymbolicTensor
  let x = bnRelu(conv(16, 3, 1).apply(input) as tfl.SymbolicTensor)
  for (const [filters, strides] of [
    [16, 1],
    [32, 2],
    [64, 2]
  ]) {
    const branch = bnRelu(conv(filters, 3, strides).apply(x) as tfl.SymbolicTensor)
    const residual = tfl.layers
      .batchNormalization()
      .apply(conv(filters, 3, 1).apply(branch)) as tfl.SymbolicTensor
    const shortcut =
      strides === 1 && x.shape[3] === filters
        ? x
        : (tfl.layers
            .batchNormalization()
            .apply(conv(filters, 1, strides).apply(x)) as tfl.SymbolicTensor)
    x = tfl.layers.reLU().apply(tfl.layers.add().apply([residual, shortcut])) as tfl.SymbolicTensor
  }
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(x)
  const logits = tfl.layers.dense({ units: shape.classes, ...init() }).apply(pooled)
  return tfl.model({ inputs: input, outputs: logits as tfl.SymbolicTensor })
}

/**
 * tfjs-layers' Dropout draws its mask from its `seed` field at every call: fixed, it would draw the
 * same mask each step; unset, it uses Math.random (not reproducible). A seed per step and layer
 * gives fresh masks that repeat exactly when the run does.
 */
export function setDropoutStep(model: tfl.LayersModel, seed: number, step: number): void {
  model.layers.forEach((layer, i) => {
    if (layer.getClassName() === 'Dropout')
      (layer as unknown as { seed: number }).seed = (seed * 1_000_003 + step * 131 + i) % 2 ** 31
  })
}
