/** Keras activations (by their tfjs serialised names) as ONNX nodes. */
import type { Attribute, OnnxGraph } from './onnxGraph'
import { like, onnxAxis, type Value } from './values'

/** A scalar float constant, for Clip bounds and composite activations. */
function scalar(graph: OnnxGraph, base: string, value: number): string {
  return graph.addFloats(base, [value], [])
}

/**
 * A Keras activation by its tfjs serialised name. Softmax acts on the tfjs last axis, which is
 * ONNX axis 1 when the value is NCHW.
 */
export function activate(graph: OnnxGraph, v: Value, activation: string, base: string): Value {
  const unary = (op: string, attributes: Record<string, Attribute> = {}): Value =>
    like(v, graph.addNode(op, [v.name], base, attributes))
  const times = (factor: string): Value =>
    like(v, graph.addNode('Mul', [v.name, factor], `${base}_mul`))
  switch (activation) {
    case 'linear':
      return v
    case 'relu':
      return unary('Relu')
    case 'relu6':
      return clip(graph, v, 0, 6, base)
    case 'elu':
      return unary('Elu', { alpha: { float: 1 } })
    case 'selu':
      // tfjs' constants; ONNX's defaults are the same to float precision.
      return unary('Selu', {
        alpha: { float: 1.6732632423543772 },
        gamma: { float: 1.0507009873554805 }
      })
    case 'sigmoid':
      return unary('Sigmoid')
    case 'hardSigmoid':
      // tfjs: clip(0.2·x + 0.5, 0, 1), which are ONNX HardSigmoid's defaults.
      return unary('HardSigmoid', { alpha: { float: 0.2 }, beta: { float: 0.5 } })
    case 'tanh':
      return unary('Tanh')
    case 'softplus':
      return unary('Softplus')
    case 'softsign':
      return unary('Softsign')
    case 'softmax':
      return unary('Softmax', { axis: { int: onnxAxis(v, -1) } })
    case 'swish':
      return times(graph.addNode('Sigmoid', [v.name], base))
    case 'mish': {
      const softplus = graph.addNode('Softplus', [v.name], base)
      return times(graph.addNode('Tanh', [softplus], base))
    }
    case 'gelu': {
      // tfjs' exact GELU: x · ½(1 + erf(x / √2)).
      const scaled = graph.addNode(
        'Div',
        [v.name, scalar(graph, `${base}_sqrt2`, Math.SQRT2)],
        base
      )
      const erf = graph.addNode('Erf', [scaled], base)
      const one = graph.addNode('Add', [erf, scalar(graph, `${base}_one`, 1)], base)
      return times(graph.addNode('Mul', [one, scalar(graph, `${base}_half`, 0.5)], base))
    }
    default:
      throw new Error(`ONNX export: activation '${activation}' is not supported.`)
  }
}

export function clip(graph: OnnxGraph, v: Value, min: number, max: number, base: string): Value {
  // Since opset 11 Clip takes its bounds as inputs, not attributes.
  const bounds = [scalar(graph, `${base}_min`, min), scalar(graph, `${base}_max`, max)]
  return like(v, graph.addNode('Clip', [v.name, ...bounds], base))
}
