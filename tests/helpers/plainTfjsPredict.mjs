/**
 * Opens an exported TF.js folder the way a web page would: plain `@tensorflow/tfjs` (not the
 * workbench's code), `tf.loadLayersModel` over HTTP from a static file server, then predicts the
 * given preprocessed images. Run as a child process so nothing of the workbench is loaded.
 *
 * Usage: node plainTfjsPredict.mjs <exportDir> <input.f32> <n,h,w,c> <output.json>
 */
import { createServer } from 'node:http'
import { readFileSync, writeFileSync } from 'node:fs'
import { join, normalize } from 'node:path'
import * as tf from '@tensorflow/tfjs'

const [dir, inputFile, shapeText, outputFile] = process.argv.slice(2)
const server = createServer((request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname))
  try {
    response.end(readFileSync(join(dir, path)))
  } catch {
    response.statusCode = 404
    response.end()
  }
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
try {
  const model = await tf.loadLayersModel(`http://127.0.0.1:${server.address().port}/model.json`)
  const bytes = readFileSync(inputFile)
  const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
  const output = model.predict(tf.tensor4d(values, shapeText.split(',').map(Number)))
  writeFileSync(
    outputFile,
    JSON.stringify({
      backend: tf.getBackend(),
      version: tf.version.tfjs,
      values: Array.from(output.dataSync())
    })
  )
} finally {
  server.close()
}
