/**
 * Where Grad-CAM looks (Selvaraju et al. 2017): the output of the last convolutional block, and
 * the layers between it and the class scores. Found by walking back from the scores along the
 * chain of single-input layers:
 * - if the chain holds a Conv2D, the last one, extended through the BatchNorm / ReLU /
 *   activation layers right after it (the rectified feature maps, before pooling);
 * - else the first 4-D layer of the chain (a ResNet's final ReLU after its last residual add:
 *   the output of its last block).
 * The head (pooling, flatten, dense…) is then applied to the activations as a function, so
 * their gradient is exact and no layer is rebuilt.
 */
import type * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'

type Layer = tfl.layers.Layer

export interface GradCamTarget {
  layer: Layer
  /**
   * The layer in words that survive export and reload (tfjs's layer names carry a process-wide
   * counter): "conv 2 of 2", "ReLU after conv 4 of 4", "ReLU, output of the last block".
   */
  description: string
  /** The network from its input to the layer's activations. */
  features: tfl.LayersModel
  /** The layers after it, in order, up to the scores. */
  head: Layer[]
}

const followers = new Set(['BatchNormalization', 'ReLU', 'Activation', 'LeakyReLU', 'ELU'])

function singleInbound(layer: Layer): Layer | undefined {
  const nodes = (layer as unknown as { inboundNodes: { inboundLayers: Layer[] }[] }).inboundNodes
  const inbound = nodes[0]?.inboundLayers ?? []
  return inbound.length === 1 ? inbound[0] : undefined
}

const isFourD = (layer: Layer): boolean => {
  const shape = layer.outputShape as number[] | number[][]
  return !Array.isArray(shape[0]) && shape.length === 4
}

/** Targets found, per network and output: the sanity check's second map reuses the first's. */
const found = new WeakMap<tfl.LayersModel, Map<number, GradCamTarget>>()

export function gradCamTarget(network: tfl.LayersModel, output: number): GradCamTarget {
  let byOutput = found.get(network)
  if (!byOutput) found.set(network, (byOutput = new Map()))
  let target = byOutput.get(output)
  if (!target) byOutput.set(output, (target = findTarget(network, output)))
  return target
}

function findTarget(network: tfl.LayersModel, output: number): GradCamTarget {
  // The chain, from the scores' layer back to the first layer with several inputs (or the input).
  const chain: Layer[] = []
  let layer: Layer | undefined = network.outputs[output].sourceLayer as Layer
  while (layer && layer.getClassName() !== 'InputLayer') {
    chain.unshift(layer)
    layer = singleInbound(layer)
  }
  let index = -1
  for (let i = chain.length - 1; i >= 0 && index < 0; i--)
    if (chain[i].getClassName() === 'Conv2D') index = i
  if (index >= 0) {
    while (index + 1 < chain.length && followers.has(chain[index + 1].getClassName())) index++
  } else index = chain.findIndex(isFourD)
  if (index < 0 || !isFourD(chain[index]))
    throw new Error(
      'Grad-CAM needs a convolutional network (it weights the last convolutional block’s feature ' +
        'maps); this model has none. Use gradients or SmoothGrad instead.'
    )
  const target = chain[index]
  return {
    layer: target,
    description: describe(network, chain, index),
    features: tfl.model({
      inputs: network.inputs,
      outputs: target.output as tfl.SymbolicTensor
    }),
    head: chain.slice(index + 1)
  }
}

function describe(network: tfl.LayersModel, chain: Layer[], index: number): string {
  const convs = network.layers.filter((l) => l.getClassName() === 'Conv2D')
  let conv = index
  while (conv >= 0 && chain[conv].getClassName() !== 'Conv2D') conv--
  if (conv < 0) return `${chain[index].getClassName()}, output of the last block`
  const place = `conv ${convs.indexOf(chain[conv]) + 1} of ${convs.length}`
  return conv === index ? place : `${chain[index].getClassName()} after ${place}`
}

/** The head applied to activations: the class scores, as the whole network computes them. */
export function applyHead(head: Layer[], activations: tf.Tensor): tf.Tensor {
  return head.reduce((h, layer) => layer.apply(h, { training: false }) as tf.Tensor, activations)
}
