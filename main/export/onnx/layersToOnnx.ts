/**
 * Exports a trained tfjs-layers model (Sequential or functional) to ONNX (opset 13), so it can run
 * outside the app (onnxruntime, Netron, other toolchains). No library converts tfjs-layers to ONNX
 * in Node, hence this small hand-written converter: the model's Keras-style config gives the layer
 * graph, each layer's getWeights() its parameters, and layerConverters.ts the ONNX nodes.
 *
 * The ONNX model keeps tfjs' interface: the input and outputs have the tfjs shapes and layout
 * (NHWC images), with a symbolic batch dimension "N". Inside, convolutions run NCHW as ONNX wants.
 */
import { onnx } from 'onnx-proto'
import type * as tfl from '@tensorflow/tfjs-layers'
import { converters, asNhwc, type LayerConfig, type Shape, type Value } from './layerConverters'
import { OnnxGraph, floatValueInfo } from './onnxGraph'

export interface OnnxExportOptions {
  /** Appends a softmax over the last axis of the (single) output: logits → probabilities. */
  outputActivation?: 'softmax'
  /** The graph input's name; default "input". */
  inputName?: string
  /** One name per model output; default "output", or "output_0", "output_1"… for several. */
  outputNames?: string[]
  /** Free-form key/value pairs stored in the model's metadata_props (class names, preprocessing…). */
  metadata?: Record<string, string>
  producerVersion?: string
  graphName?: string
}

const OPSET = 13
/** IR version 7 is the one that came with opset 13 (ONNX 1.8); every runtime since reads it. */
const IR_VERSION = 7

/** [layer name, node index, tensor index] as in a Keras config's inbound nodes and outputs. */
type TensorRef = [string, number, number, ...unknown[]]

interface LayerEntry {
  name: string
  className: string
  config: LayerConfig
  inboundNodes?: TensorRef[][]
}

const nestedModelClasses = new Set(['Sequential', 'Model', 'Functional'])

/** Converts one layer call, inlining nested models. */
function convertLayer(
  graph: OnnxGraph,
  owner: tfl.LayersModel,
  entry: LayerEntry,
  inputs: Value[]
): Value[] {
  const layer = owner.getLayer(entry.name)
  if (nestedModelClasses.has(entry.className))
    return convertModel(graph, layer as unknown as tfl.LayersModel, inputs)
  const convert = converters[entry.className]
  if (!convert)
    throw new Error(
      `ONNX export: layer "${entry.name}" of class ${entry.className} is not supported.`
    )
  const inShapes = inputs.map((v) => v.shape)
  const outShape = layer.computeOutputShape(inShapes.length === 1 ? inShapes[0] : inShapes)
  if (Array.isArray(outShape[0]))
    throw new Error(`ONNX export: layer "${entry.name}" has several outputs; not supported.`)
  const base = entry.name.replace(/[^A-Za-z0-9_]/g, '_')
  return [convert({ graph, layer, ...entry, inputs, outShape: outShape as Shape, base })]
}

/**
 * Adds a model's layers to the graph, fed by `inputs` (one per model input); returns the values
 * of its outputs. A Sequential's layers chain in order; a functional model is walked depth-first
 * from its outputs through each layer call's inbound nodes, which adds nodes in topological order,
 * handles layers called more than once, and skips layers no output depends on.
 */
function convertModel(graph: OnnxGraph, model: tfl.LayersModel, inputs: Value[]): Value[] {
  const config = model.getConfig() as unknown as {
    layers: LayerEntry[]
    inputLayers?: TensorRef[]
    outputLayers?: TensorRef[]
  }
  if (model.getClassName() === 'Sequential') {
    // Entries are {className, config}; the name lives in the config.
    return config.layers.reduce(
      (values, { className, config: layerConfig }) =>
        className === 'InputLayer'
          ? values
          : convertLayer(
              graph,
              model,
              { name: layerConfig.name, className, config: layerConfig },
              values
            ),
      inputs
    )
  }
  const byName = new Map(config.layers.map((entry) => [entry.name, entry]))
  const calls = new Map<string, Value[]>()
  config.inputLayers!.forEach(([name], i) => calls.set(`${name}:0`, [inputs[i]]))
  const resolve = ([name, nodeIndex, tensorIndex]: TensorRef): Value => {
    const key = `${name}:${nodeIndex}`
    let outputs = calls.get(key)
    if (!outputs) {
      const entry = byName.get(name)
      const inbound = entry?.inboundNodes?.[nodeIndex]
      if (!entry || !inbound || inbound.length === 0)
        throw new Error(`ONNX export: cannot find the inputs of layer "${name}".`)
      outputs = convertLayer(graph, model, entry, inbound.map(resolve))
      calls.set(key, outputs)
    }
    return outputs[tensorIndex]
  }
  return config.outputLayers!.map(resolve)
}

/** Serialised ONNX ModelProto bytes for a tfjs-layers model. */
export function layersModelToOnnx(
  model: tfl.LayersModel,
  options: OnnxExportOptions = {}
): Uint8Array {
  if (model.inputs.length !== 1)
    throw new Error(`ONNX export supports one model input; this model has ${model.inputs.length}.`)
  const inputShape = model.inputs[0].shape
  if (inputShape.slice(1).some((d) => d === null))
    throw new Error(`ONNX export needs a fixed input shape (besides the batch); got ${inputShape}.`)
  const graph = new OnnxGraph()
  const input: Value = {
    name: graph.reserve(options.inputName ?? 'input'),
    shape: inputShape,
    nchw: false
  }
  const count = model.outputs.length
  const names =
    options.outputNames ??
    (count === 1 ? ['output'] : [...Array(count).keys()].map((i) => `output_${i}`))
  if (names.length !== count)
    throw new Error(`ONNX export: ${names.length} output names for ${count} outputs.`)
  // Reserved before any layer is converted, so no internal tensor can take these names.
  names.forEach((name) => graph.reserve(name))
  const results = convertModel(graph, model, [input])
  if (options.outputActivation === 'softmax' && results.length !== 1)
    throw new Error('ONNX export: a softmax output needs a model with a single output.')
  const outputs = results.map((value, i) => {
    const name = names[i]
    // Outputs go back to the tfjs layout. The last node writes the output name (an Identity when
    // nothing else is left to do, e.g. a value that is also used inside the graph).
    const source = asNhwc(graph, value)
    if (options.outputActivation === 'softmax')
      graph.addNode('Softmax', [source], name, { axis: { int: -1 } }, name)
    else graph.addNode('Identity', [source], name, {}, name)
    return floatValueInfo(name, value.shape)
  })
  const modelProto: onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'DGM Workbench',
    producerVersion: options.producerVersion ?? '',
    graph: graph.toGraphProto(
      options.graphName ?? model.name,
      [floatValueInfo(input.name, inputShape)],
      outputs
    ),
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value }))
  }
  return onnx.ModelProto.encode(onnx.ModelProto.create(modelProto)).finish()
}
