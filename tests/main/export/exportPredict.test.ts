/**
 * Export and predict end to end, on real Fashion-MNIST images in a real SQLite store through the
 * contract: exported TF.js folders opened by plain `@tensorflow/tfjs` (a child process loading
 * model.json over HTTP, as a web page would), ONNX files run by onnxruntime-node for a classifier,
 * a conditional generator and a VAE decoder, failed exports on a real read-only folder and a real
 * full disk, predictions on a folder holding a corrupt file, and fine-tuning from an export.
 */
import { spawnSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync
} from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { onnx } from 'onnx-proto'
import sharp from 'sharp'
import * as ort from 'onnxruntime-node'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '../../../preload/client'
import type { PredictReport, RequestArgs, RunDetail } from '../../../preload/contract'
import { readCheckpoint } from '../../../main/engine/checkpoint'
import { readExportMetadata } from '../../../main/engine/export/exportMetadata'
import { loadSaved } from '../../../main/engine/generative/savedModel'
import type { TrainerState } from '../../../main/engine/trainer'
import { disposeGenerativeModel } from '../../../main/engine/models/generative'
import { withLabels } from '../../../main/engine/models/generative/networks'
import { savedGenerativeRun } from '../../../main/runs/generativeRuns'
import type { Workbench } from '../../../main/host/workbenchServices'
import { openFashionWorkbench, type FashionWorkbench } from '../../helpers/fashionWorkbench'
import { readOnlyFolder, tinyDisk } from '../../helpers/limitedDisk'

const plainTfjs = join(__dirname, '../../helpers/plainTfjsPredict.mjs')
const small = { width: 8, batchSize: 32, seed: 3, epochs: 1 }

/** The predicted images as the model saw them, as floats (x / 255: the runs here use `unit`). */
function unitInputs(report: PredictReport): { values: Float32Array; shape: number[] } {
  const { width, height, channels, count } = report.thumbnails
  const pixels = Buffer.from(report.thumbnails.data, 'base64')
  return {
    values: Float32Array.from(pixels, (v) => v / 255),
    shape: [count, height, width, channels]
  }
}

async function runOnnxFile(
  file: string,
  values: Float32Array,
  shape: number[]
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file)
  const out = await session.run({
    [session.inputNames[0]]: new ort.Tensor('float32', values, shape)
  })
  return out[session.outputNames[0]].data as Float32Array
}

const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length)
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]))
  return max
}

describe('export and predict', () => {
  let opened: FashionWorkbench
  let workbench: Workbench
  let client: Client
  let datasetId: number
  let classifier: RunDetail
  let imagesDir: string
  let exportsDir: string

  const train = (args: RequestArgs<'runs/start'>): Promise<RunDetail> => opened.train(args)
  const probabilitiesOf = (report: PredictReport): number[] =>
    report.predictions.flatMap((p) =>
      report.labels.map((_, c) => p.topK.find((t) => t.index === c)?.probability ?? 0)
    )

  beforeAll(async () => {
    opened = await openFashionWorkbench(30)
    ;({ workbench, client } = opened)
    datasetId = opened.report.dataset.id
    classifier = await train({
      datasetId,
      recipe: 'classifier',
      config: { epochs: 8, batchSize: 32, learningRate: 3e-3, seed: 1 }
    })
    // Real clothes to predict (two of every class), plus a corrupt PNG and a text file.
    imagesDir = join(opened.dir.path, 'to-predict')
    mkdirSync(join(imagesDir, 'nested'), { recursive: true })
    const clothes = join(opened.dir.path, 'clothes')
    for (const [i, name] of readdirSync(clothes).sort().entries())
      for (const k of [0, 1])
        copyFileSync(
          join(clothes, name, `${k}.png`),
          join(imagesDir, i % 2 ? 'nested' : '', `${i}-${k}.png`)
        )
    writeFileSync(
      join(imagesDir, 'broken.png'),
      Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(64, 7)])
    )
    writeFileSync(join(imagesDir, 'notes.txt'), 'not an image')
    exportsDir = join(opened.dir.path, 'exports')
  }, 120_000)
  afterAll(() => opened.close())

  it('predicts a folder, listing the corrupt file and predicting the rest', async () => {
    const report = await client.request('predict/images', {
      source: { runId: classifier.id },
      paths: [imagesDir, join(imagesDir, 'missing.png')],
      topK: 3
    })
    expect(report.predictions).toHaveLength(20)
    expect(report.labels).toEqual(classifier.classNames)
    const reasons = Object.fromEntries(
      report.skipped.map((s) => [s.path.split('/').pop(), s.reason])
    )
    expect(reasons).toEqual({
      'broken.png': 'corrupt',
      'notes.txt': 'not-image',
      'missing.png': 'unreadable'
    })
    for (const p of report.predictions) {
      expect(p.topK).toHaveLength(3)
      expect(p.top1).toBe(report.labels[p.top1Index])
      expect(p.probability).toBe(p.topK[0].probability)
      expect(p.topK[0].probability).toBeGreaterThanOrEqual(p.topK[1].probability)
    }
    // The images are training images of an 8-epoch model: most must come out right.
    const right = report.predictions.filter((p) => {
      const trueClass = Number(p.path.split('/').pop()!.split('-')[0])
      return p.top1Index === trueClass
    })
    expect(right.length).toBeGreaterThanOrEqual(12)
    expect(report.thumbnails.count).toBe(20)
  })

  it('decodes images to predict exactly as the import did, letterboxing for a "contain" dataset', async () => {
    // Wide RGB images (48×24) of two colours, imported letterboxed into 28×28 squares.
    const root = join(opened.dir.path, 'wide')
    const colours = { red: [200, 30, 30], blue: [30, 30, 200] }
    for (const [name, [r, g, b]] of Object.entries(colours)) {
      mkdirSync(join(root, name), { recursive: true })
      for (let k = 0; k < 12; k++) {
        const pixels = Buffer.alloc(48 * 24 * 3)
        for (let i = 0; i < 48 * 24; i++) pixels.set([(r + i * k) % 256, (g + i) % 256, b], i * 3)
        await sharp(pixels, { raw: { width: 48, height: 24, channels: 3 } })
          .png()
          .toFile(join(root, name, `${k}.png`))
      }
    }
    const imported = await client.request('datasets/import', {
      path: root,
      size: 28,
      channels: 3,
      fit: 'contain',
      name: 'wide'
    })
    const run = await train({
      datasetId: imported.dataset.id,
      recipe: 'classifier',
      config: { epochs: 1, batchSize: 8, seed: 2 }
    })
    const listed = await client.request('datasets/images', { id: imported.dataset.id, limit: 100 })
    const report = await client.request('predict/images', {
      source: { runId: run.id },
      paths: listed.items.map((i) => join(root, i.path))
    })
    const cached = await client.request('datasets/pixels', {
      id: imported.dataset.id,
      indices: listed.items.map((i) => i.idx)
    })
    expect(report.thumbnails.count).toBe(listed.items.length)
    expect(report.thumbnails.data).toBe(cached.data)
    // Letterboxed: the top rows are the black border, not image.
    const first = Buffer.from(report.thumbnails.data, 'base64').subarray(0, 28 * 3 * 4)
    expect(first.every((v) => v === 0)).toBe(true)
    const out = join(exportsDir, 'wide-tfjs')
    await client.request('runs/export', { id: run.id, format: 'tfjs', out })
    const metadata = JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8'))
    expect(metadata.preprocessing.fit).toBe('contain')
    const byExport = await client.request('predict/images', {
      source: { exportDir: out },
      paths: listed.items.map((i) => join(root, i.path))
    })
    expect(byExport.thumbnails.data).toBe(cached.data)
  }, 60_000)

  it('predicts uploaded files (browser mode), then discards the upload and nothing else', async () => {
    const { uploadId } = await client.request('uploads/begin', { name: 'to predict' })
    for (const name of ['0-0.png', 'broken.png'])
      await client.request('uploads/file', {
        uploadId,
        path: `a/${name}`,
        data: readFileSync(join(imagesDir, name)).toString('base64')
      })
    const { path } = await client.request('uploads/finish', { uploadId })
    const report = await client.request('predict/images', {
      source: { runId: classifier.id },
      paths: [path]
    })
    expect(report.predictions).toHaveLength(1)
    expect(report.skipped.map((s) => s.reason)).toEqual(['corrupt'])
    await client.request('uploads/discard', { path })
    expect(existsSync(path)).toBe(false)
    expect(readdirSync(join(workbench.dataDir, 'uploads'))).toEqual([])
    await expect(client.request('uploads/discard', { path: workbench.dataDir })).rejects.toThrow(
      /not an upload folder/
    )
    await expect(
      client.request('uploads/discard', { path: join(workbench.dataDir, 'uploads', '..', 'runs') })
    ).rejects.toThrow(/not an upload folder/)
    expect(existsSync(join(workbench.dataDir, 'runs'))).toBe(true)
  })

  it('exports TF.js that plain @tensorflow/tfjs opens and predicts with as the run does', async () => {
    const out = join(exportsDir, 'classifier-tfjs')
    const exported = await client.request('runs/export', { id: classifier.id, format: 'tfjs', out })
    expect(exported.files).toEqual(
      expect.arrayContaining([
        'model.json',
        'model.weights.bin',
        'labels.txt',
        'metadata.json',
        'README.md',
        'confusion.png'
      ])
    )
    expect(readFileSync(join(out, 'labels.txt'), 'utf8').trim().split('\n')).toEqual(
      classifier.classNames
    )
    const [network] = exported.networks
    expect(network.verification.maxDifference).toBeLessThanOrEqual(network.verification.tolerance)
    expect(network.verification.sameTop1).toBe(network.verification.count)
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('confusion.png')

    const byRun = await client.request('predict/images', {
      source: { runId: classifier.id },
      paths: [imagesDir],
      topK: 10
    })
    const input = unitInputs(byRun)
    const inputFile = join(opened.dir.path, 'input.f32')
    writeFileSync(inputFile, Buffer.from(input.values.buffer))
    const outputFile = join(opened.dir.path, 'plain-tfjs.json')
    const child = spawnSync(
      process.execPath,
      [plainTfjs, out, inputFile, input.shape.join(','), outputFile],
      {
        encoding: 'utf8'
      }
    )
    expect(child.status, child.stderr).toBe(0)
    const plain = JSON.parse(readFileSync(outputFile, 'utf8')) as {
      version: string
      values: number[]
    }
    expect(plain.version).toBe('4.22.0')
    expect(maxDifference(plain.values, probabilitiesOf(byRun))).toBeLessThan(1e-5)
    // The exported folder predicts exactly as the run does: the app's round trip.
    const byExport = await client.request('predict/images', {
      source: { exportDir: out },
      paths: [imagesDir],
      topK: 10
    })
    expect(byExport.predictions.map((p) => p.top1)).toEqual(byRun.predictions.map((p) => p.top1))
    expect(maxDifference(probabilitiesOf(byExport), probabilitiesOf(byRun))).toBeLessThan(1e-6)
    expect(await client.request('exports/inspect', { path: out })).toMatchObject({
      canPredict: true,
      preset: 'small-cnn',
      labels: classifier.classNames
    })
  })

  it('exports ONNX that onnxruntime-node runs within 1e-4: classifier, conditional generator, VAE decoder', async () => {
    const out = join(exportsDir, 'classifier-onnx')
    const exported = await client.request('runs/export', { id: classifier.id, format: 'onnx', out })
    expect(exported.networks[0].verification.runtime).toMatch(/^onnxruntime-node/)
    const byRun = await client.request('predict/images', {
      source: { runId: classifier.id },
      paths: [imagesDir],
      topK: 10
    })
    const input = unitInputs(byRun)
    const probabilities = await runOnnxFile(join(out, 'model.onnx'), input.values, input.shape)
    expect(maxDifference(probabilities, probabilitiesOf(byRun))).toBeLessThan(1e-4)
    // The app predicts with the ONNX folder too (through onnxruntime-node), as the run does.
    const byOnnxFolder = await client.request('predict/images', {
      source: { exportDir: out },
      paths: [imagesDir],
      topK: 10
    })
    expect(byOnnxFolder.predictions.map((p) => p.top1)).toEqual(
      byRun.predictions.map((p) => p.top1)
    )
    expect(maxDifference(probabilitiesOf(byOnnxFolder), probabilitiesOf(byRun))).toBeLessThan(1e-4)
    expect(await client.request('exports/inspect', { path: out })).toMatchObject({
      canPredict: true,
      modelFormat: 'onnx'
    })
    const model = onnx.ModelProto.decode(readFileSync(join(out, 'model.onnx')))
    expect(Number(model.opsetImport[0].version)).toBeGreaterThanOrEqual(13)
    const props = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]))
    expect(JSON.parse(props.labels!)).toEqual(classifier.classNames)
    expect(JSON.parse(props.preprocessing!)).toMatchObject({ normalisation: 'unit' })

    for (const recipe of ['cgan', 'vae'] as const) {
      const run = await train({ datasetId, recipe, config: small })
      const dir = join(exportsDir, `${recipe}-onnx`)
      const report = await client.request('runs/export', { id: run.id, format: 'onnx', out: dir })
      expect(report.networks[0].role).toBe(recipe === 'cgan' ? 'generator' : 'decoder')
      expect(existsSync(join(dir, 'samples.png'))).toBe(true)
      // The workbench's own network on codes of our choosing, against onnxruntime on the file.
      const saved = savedGenerativeRun(workbench.store, workbench.dataDir, run.id).model
      const generative = await loadSaved(saved)
      try {
        const latent = saved.config.latentDim
        const codes = tf.tidy(() => {
          const z = tf.randomNormal([6, latent], 0, 1, 'float32', 11) as tf.Tensor2D
          return recipe === 'cgan' ? withLabels(z, tf.tensor1d([0, 1, 2, 7, 8, 9], 'int32'), 10) : z
        })
        const net = generative.nets.generator ?? generative.nets.decoder
        const expected = tf.tidy(() => net.predict(codes) as tf.Tensor)
        const images = await runOnnxFile(
          join(dir, 'model.onnx'),
          codes.dataSync() as Float32Array,
          codes.shape
        )
        expect(maxDifference(images, expected.dataSync())).toBeLessThan(1e-4)
        expect(expected.shape).toEqual([6, 28, 28, 1])
        tf.dispose([codes, expected])
      } finally {
        disposeGenerativeModel(generative)
      }
      if (recipe === 'vae')
        expect(report.networks.map((n) => n.role)).toEqual(['decoder', 'encoder'])
    }
  }, 120_000)

  it('standardises new images with the statistics the run trained with, also from its export', async () => {
    const run = await train({
      datasetId,
      recipe: 'classifier',
      config: { epochs: 1, batchSize: 32, seed: 4, normalisation: 'standardize' }
    })
    const trained = readCheckpoint<TrainerState>(
      join(workbench.dataDir, 'runs', String(run.id), 'checkpoint.ckpt')
    )
    tf.dispose([...trained.weights, ...trained.optimizer].map((t) => t.tensor))
    const stats = trained.state.normalisationStats!
    expect(stats.mean).toHaveLength(1)
    expect(stats.std[0]).toBeGreaterThan(0.1)
    const out = join(exportsDir, 'standardised-tfjs')
    await client.request('runs/export', { id: run.id, format: 'tfjs', out })
    const metadata = JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8'))
    expect(metadata.preprocessing).toMatchObject({ normalisation: 'standardize', ...stats })
    const args = { paths: [imagesDir], topK: 10 }
    const byRun = await client.request('predict/images', { source: { runId: run.id }, ...args })
    const byExport = await client.request('predict/images', { source: { exportDir: out }, ...args })
    expect(maxDifference(probabilitiesOf(byExport), probabilitiesOf(byRun))).toBeLessThan(1e-6)
  })

  it('leaves nothing behind when an export fails, and replaces only earlier exports', async () => {
    const readOnly = readOnlyFolder(opened.dir.path)
    expect(readOnly, 'a read-only folder could not be made here').not.toBeNull()
    try {
      await expect(
        client.request('runs/export', {
          id: classifier.id,
          format: 'tfjs',
          out: join(readOnly!.path, 'model')
        })
      ).rejects.toThrow(/Cannot write in .*read-only.*choose a folder you can write to/)
      expect(readdirSync(readOnly!.path)).toEqual([])
    } finally {
      readOnly!.cleanup()
    }
    // A disk that fills up half way through writing the weights.
    const disk = tinyDisk(opened.dir.path, 64 * 1024)
    if (disk)
      try {
        await expect(
          client.request('runs/export', {
            id: classifier.id,
            format: 'onnx',
            out: join(disk.path, 'model')
          })
        ).rejects.toThrow(/failed \(ENOSPC\): the disk is full.*Nothing was left behind/)
        expect(readdirSync(disk.path)).toEqual([])
      } finally {
        disk.cleanup()
      }
    // An existing export is kept without force, replaced with it; other folders never are.
    const out = join(exportsDir, 'classifier-tfjs-2')
    await client.request('runs/export', { id: classifier.id, format: 'tfjs', out })
    const before = readFileSync(join(out, 'metadata.json'), 'utf8')
    await expect(
      client.request('runs/export', { id: classifier.id, format: 'onnx', out })
    ).rejects.toMatchObject({
      code: 'conflict'
    })
    expect(readFileSync(join(out, 'metadata.json'), 'utf8')).toBe(before)
    const replaced = await client.request('runs/export', {
      id: classifier.id,
      format: 'onnx',
      out,
      force: true
    })
    expect(replaced.replaced).toBe(true)
    expect(readdirSync(out)).toContain('model.onnx')
    expect(readdirSync(out)).not.toContain('model.json')
    const mine = join(opened.dir.path, 'my-notes')
    mkdirSync(mine)
    writeFileSync(join(mine, 'thesis.tex'), 'precious')
    await expect(
      client.request('runs/export', { id: classifier.id, format: 'tfjs', out: mine, force: true })
    ).rejects.toThrow(/not a workbench export/)
    expect(readdirSync(mine)).toEqual(['thesis.tex'])
    expect(readdirSync(exportsDir).filter((f) => f.startsWith('.'))).toEqual([])
  }, 60_000)

  it('fine-tunes from an exported TF.js folder, and refuses one that does not fit', async () => {
    const out = join(exportsDir, 'classifier-tfjs')
    const frozen = { epochs: 1, batchSize: 32, learningRate: 1e-7, seed: 5 }
    const fineTuned = await train({
      datasetId,
      recipe: 'classifier',
      config: { ...frozen, initFrom: out }
    })
    const scratch = await train({ datasetId, recipe: 'classifier', config: frozen })
    // With a negligible learning rate, the fine-tuned run keeps the export's accuracy.
    expect(
      Math.abs(fineTuned.headline.testAccuracy! - classifier.headline.testAccuracy!)
    ).toBeLessThan(0.05)
    expect(fineTuned.headline.testAccuracy!).toBeGreaterThan(scratch.headline.testAccuracy! + 0.2)
    expect(fineTuned.config.initFrom).toBe(out)
    // Its export is shared with others: no file in it names a folder of this machine...
    const shared = join(exportsDir, 'fine-tuned')
    await client.request('runs/export', { id: fineTuned.id, format: 'tfjs', out: shared })
    for (const file of readdirSync(shared)) {
      const text = readFileSync(join(shared, file)).toString('latin1')
      expect(text, file).not.toContain(opened.dir.path)
      expect(text, file).not.toContain(homedir())
    }
    expect(readExportMetadata(shared).config.initFrom).toBe('classifier-tfjs')
    // ...unless the researcher asks for the paths.
    await client.request('runs/export', {
      id: fineTuned.id,
      format: 'tfjs',
      out: shared,
      force: true,
      includePaths: true
    })
    expect(readExportMetadata(shared).config.initFrom).toBe(out)
    await expect(
      client.request('runs/start', {
        datasetId,
        recipe: 'classifier',
        config: { ...frozen, preset: 'deep-cnn', initFrom: out }
      })
    ).rejects.toThrow(/is a small-cnn; set the preset to small-cnn/)
    await expect(
      client.request('runs/start', {
        datasetId,
        recipe: 'classifier',
        config: { ...frozen, initFrom: join(exportsDir, 'classifier-onnx') }
      })
    ).rejects.toThrow(/not a TF.js classifier export/)
  }, 60_000)
})
