/**
 * Exports a trained tfjs-layers model (Sequential or functional) to ONNX (opset 13), so it can run
 * outside the app (onnxruntime, Netron, other toolchains). No library converts tfjs-layers to ONNX
 * in Node, hence this small hand-written converter: the model's layer graph and each layer's
 * Keras-style config and getWeights() give the ONNX nodes, made by layerConverters.ts.
 *
 * The ONNX model keeps tfjs' interface: the input and outputs have the tfjs shapes and layout
 * (NHWC images), with a symbolic batch dimension "N". Inside, convolutions run NCHW as ONNX wants.
 */
import { onnx } from 'onnx-proto'
import type * as tfl from '@tensorflow/tfjs-layers'
import { converters, type LayerConfig } from './layerConverters'
import { asNhwc, type Shape, type Value } from './values'
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

type Layer = tfl.layers.Layer
type LayerNode = Layer['inboundNodes'][number]

const nestedModelClasses = new Set(['Sequential', 'Model', 'Functional'])

/** Converts one layer call, inlining nested models. */
function convertLayer(graph: OnnxGraph, layer: Layer, inputs: Value[]): Value[] {
  const className = layer.getClassName()
  if (nestedModelClasses.has(className))
    return convertModel(graph, layer as unknown as tfl.LayersModel, inputs)
  const convert = converters[className]
  if (!convert)
    throw new Error(`ONNX export: layer "${layer.name}" of class ${className} is not supported.`)
  const inShapes = inputs.map((v) => v.shape)
  const outShape = layer.computeOutputShape(inShapes.length === 1 ? inShapes[0] : inShapes)
  if (Array.isArray(outShape[0]))
    throw new Error(`ONNX export: layer "${layer.name}" has several outputs; not supported.`)
  const config = layer.getConfig() as LayerConfig
  const base = layer.name.replace(/[^A-Za-z0-9_]/g, '_')
  return [convert({ graph, layer, className, config, inputs, outShape: outShape as Shape, base })]
}

/**
 * Adds a model's layers to the graph, fed by `inputs` (one per model input), and returns the
 * values of its outputs. The walk goes depth-first from the outputs through each layer call's
 * inbound node, which adds nodes in topological order, converts each call of a shared layer, and
 * skips layers no output depends on. It follows the model's own node links rather than its
 * Keras-style config because tfjs' getConfig() numbers the output node of a nested model with
 * its unfiltered index (e.g. 1 where inbound_nodes has only 0); the per-layer settings still come
 * from each layer's config. Sequential and functional models are walked alike.
 */
function convertModel(graph: OnnxGraph, model: tfl.LayersModel, inputs: Value[]): Value[] {
  const calls = new Map<LayerNode, Value[]>()
  model.inputs.forEach((t, i) => calls.set(t.sourceLayer.inboundNodes[t.nodeIndex], [inputs[i]]))
  const resolve = (layer: Layer, nodeIndex: number, tensorIndex: number): Value => {
    const node = layer.inboundNodes[nodeIndex]
    let outputs = calls.get(node)
    if (!outputs) {
      if (!node || node.inboundLayers.length === 0)
        throw new Error(`ONNX export: layer "${layer.name}" is not fed by the model's input.`)
      const values = node.inboundLayers.map((source, j) =>
        resolve(source, node.nodeIndices[j], node.tensorIndices[j])
      )
      outputs = convertLayer(graph, layer, values)
      calls.set(node, outputs)
    }
    return outputs[tensorIndex]
  }
  return model.outputs.map((t) => resolve(t.sourceLayer, t.nodeIndex, t.tensorIndex))
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
    // Outputs go back to the tfjs layout. The value's tensor already has an internal name (and
    // may feed other nodes, or be the input itself), so a final Softmax or Identity names it.
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
