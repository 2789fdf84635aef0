/**
 * The engine worker's half of an export: write every network of the trained model into the
 * (temporary) export folder in the chosen format, then open each written file with a runtime we
 * did not write — tfjs-layers' own loader for TF.js, onnxruntime-node for ONNX — run it on real
 * check inputs and compare with the workbench's outputs. Any difference above the tolerance fails
 * the export, and the host then removes the whole temporary folder.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'
import type { ExportedNetwork } from '../../../preload/contract'
import type { ExportTask, ExportTaskResult } from '../engineMessages'
import { encodePng, tileGrid } from '../../datasets/pixelImages'
import { describePreprocessing } from './exportMetadata'
import { layersModelToOnnx } from './onnx/layersToOnnx'
import { maxAbsDifference, runOnnx } from './onnx/runOnnx'
import { loadLayersModelFromFolder, saveLayersModelToFolder } from './tfjsFiles'
import { loadTrainedModel } from './trainedModel'
import type { ExportableNetwork } from './trainedModelTypes'

/**
 * Largest allowed |difference| from the workbench's outputs. TF.js reloads the same weights into
 * the same kernels (bit-identical in practice); ONNX Runtime computes convolutions in another order,
 * so float32 rounding differs slightly.
 */
export const tolerances = { tfjs: 1e-6, onnx: 1e-4 } as const

export async function runExport(task: ExportTask): Promise<ExportTaskResult> {
  const trained = await loadTrainedModel(task.source)
  try {
    const networks: ExportedNetwork[] = []
    const preprocessing = describePreprocessing(trained.preprocessing, trained.shape, task.fit)
    const onnxMetadata = { ...task.onnxMetadata, preprocessing: JSON.stringify(preprocessing) }
    for (const network of trained.networks) {
      networks.push(await exportNetwork(network, { ...task, onnxMetadata }))
    }
    if (trained.samples) {
      const samples = await trained.samples()
      writeFileSync(join(task.dir, 'samples.png'), await encodePng(tileGrid(samples, 8)))
    }
    return {
      networks,
      preprocessing,
      shape: trained.shape
    }
  } finally {
    trained.dispose()
  }
}

async function exportNetwork(
  network: ExportableNetwork,
  task: ExportTask
): Promise<ExportedNetwork> {
  const x = await network.checkInputs()
  try {
    const expected = await outputsOf(network.model, x)
    const input = { data: (await x.data()) as Float32Array, shape: x.shape }
    let files: string[]
    let actual: Float32Array[]
    let runtime: string
    if (task.format === 'tfjs') {
      files = await saveLayersModelToFolder(network.model, task.dir, network.name)
      const reloaded = await loadLayersModelFromFolder(task.dir, files[0])
      try {
        actual = await outputsOf(reloaded, x)
      } finally {
        reloaded.dispose()
      }
      runtime = `@tensorflow/tfjs-layers ${tfl.version_layers} loadLayersModel`
    } else {
      const file = `${network.name}.onnx`
      // The converter reads weights synchronously; a GPU backend can only read asynchronously,
      // and keeps what it read on the host, so read every weight once first.
      await Promise.all(network.model.weights.map((w) => w.read().data()))
      const bytes = layersModelToOnnx(network.model, {
        metadata: {
          ...task.onnxMetadata,
          role: network.role,
          input: network.input,
          output: network.output
        },
        graphName: network.name
      })
      writeFileSync(join(task.dir, file), bytes)
      files = [file]
      actual = (await runOnnx(join(task.dir, file), input)).map((o) => o.data)
      runtime = `onnxruntime-node ${ort.env.versions.node}`
    }
    const tolerance = tolerances[task.format]
    const maxDifference = Math.max(...expected.map((e, i) => maxAbsDifference(e, actual[i] ?? [])))
    const count = x.shape[0]
    if (!(maxDifference <= tolerance) || actual.length !== expected.length)
      throw new Error(
        `The exported ${network.role} (${files[0]}) opened in ${runtime} gives outputs that differ ` +
          `from the workbench's by up to ${maxDifference.toExponential(2)} (tolerance ${tolerance}) on ` +
          `${count} ${network.checkInputsAre}, so nothing was written. Export in the other format, and ` +
          "please report this with the run's recipe and config."
      )
    const outputShapes = (network.model.outputs as tfl.SymbolicTensor[]).map((o) => o.shape)
    return {
      role: network.role,
      file: files[0],
      input: network.input,
      output: network.output,
      inputShape: (network.model.inputs[0] as tfl.SymbolicTensor).shape,
      outputShape: outputShapes,
      verification: {
        runtime,
        inputs: network.checkInputsAre,
        count,
        maxDifference,
        tolerance,
        ...(network.role === 'classifier'
          ? { sameTop1: sameTop1(expected[0], actual[0], count) }
          : {})
      }
    }
  } finally {
    x.dispose()
  }
}

/** Every output of the model on x, as flat float arrays (a single output is a list of one). */
async function outputsOf(model: tfl.LayersModel, x: tf.Tensor): Promise<Float32Array[]> {
  const out = model.predict(x)
  const list = Array.isArray(out) ? out : [out]
  const values = await Promise.all(list.map(async (t) => (await t.data()) as Float32Array))
  tf.dispose(list)
  return values
}

function sameTop1(a: Float32Array, b: Float32Array, count: number): number {
  const classes = a.length / count
  const argmax = (v: Float32Array, i: number): number => {
    let best = 0
    for (let c = 1; c < classes; c++) if (v[i * classes + c] > v[i * classes + best]) best = c
    return best
  }
  let same = 0
  for (let i = 0; i < count; i++) if (argmax(a, i) === argmax(b, i)) same++
  return same
}
