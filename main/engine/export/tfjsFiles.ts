/**
 * TF.js Layers format on disk: `<name>.json` (topology + weights manifest, the file
 * `tf.loadLayersModel` opens) and one `<name>.weights.bin` shard beside it. tfjs-node's `file://`
 * handler is not available without libtensorflow, so the workbench writes and reads the two files
 * itself through tfjs' own save/load handler hooks; the format is tfjs' (`getModelJSONForModelArtifacts`).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import * as tfl from '@tensorflow/tfjs-layers'

/** Writes the model as `<dir>/<name>.json` + `<dir>/<name>.weights.bin`; returns the file names. */
export async function saveLayersModelToFolder(
  model: tfl.LayersModel,
  dir: string,
  name: string
): Promise<string[]> {
  const jsonFile = `${name}.json`
  const weightsFile = `${name}.weights.bin`
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData)
      const manifest: tf.io.WeightsManifestConfig = [
        { paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }
      ]
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology!,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: manifest
      }
      writeFileSync(join(dir, weightsFile), Buffer.from(weightData))
      writeFileSync(join(dir, jsonFile), JSON.stringify(json))
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) }
    })
  )
  return [jsonFile, weightsFile]
}

/** Opens `<dir>/<file>` (a model.json) and its weight shards with tfjs-layers' own loader. */
export async function loadLayersModelFromFolder(
  dir: string,
  file: string
): Promise<tfl.LayersModel> {
  const jsonPath = join(dir, file)
  let json: tf.io.ModelJSON
  try {
    json = JSON.parse(readFileSync(jsonPath, 'utf8'))
  } catch (error) {
    throw new Error(
      `${jsonPath} cannot be read as a TF.js model (${(error as Error).message}); ` +
        'choose a folder the workbench exported in TF.js format.',
      { cause: error }
    )
  }
  return tfl.loadLayersModel(
    tf.io.fromMemory(
      await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights)
        const buffers = manifest.flatMap((group) =>
          group.paths.map((path) => {
            const bytes = readFileSync(join(dirname(jsonPath), path))
            return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
          })
        )
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)]
      })
    )
  )
}
