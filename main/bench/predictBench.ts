/**
 * `dgmw bench predict`: the 10,000 Fashion-MNIST test images as PNG files, predicted by a small
 * classifier run through the workbench's whole path (scan, decode workers, engine, top-k) — from
 * the run and from its TF.js export — against bench/reference/predict_torch.py (PIL decode in a
 * process per core + the PyTorch reference CNN) in the same invocation. Also times both exports
 * (which include their verification by tfjs-layers and onnxruntime-node).
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { classifierConfigSchema, type ExportFormat } from '../../preload/contract'
import { importDataset } from '../datasets/importDataset'
import { createWorkbench } from '../host/workbench'
import { writePngFolder } from './importBench'
import { missingScriptMessage, referenceScript, runReferenceScript } from './pytorchReference'

interface Timed {
  seconds: number
  imagesPerSecond: number
}

export interface PredictBenchResult {
  images: number
  backend: string
  exports: { format: ExportFormat; seconds: number; bytes: number; maxDifference: number }[]
  workbench: { byRun: Timed; byExport: Timed; threads: number }
  reference: (Timed & { decodeSeconds: number; workers: number; torch: string; pil: string }) | null
  referenceError?: string
  /** Workbench (from the run) ÷ reference throughput. */
  ratio: number | null
  target: number
}

const timed = async <T>(images: number, work: () => Promise<T>): Promise<Timed & { value: T }> => {
  const started = performance.now()
  const value = await work()
  const seconds = (performance.now() - started) / 1000
  return { seconds, imagesPerSecond: images / seconds, value }
}

export async function runPredictBench(
  python: string | undefined,
  note: (m: string) => void
): Promise<PredictBenchResult> {
  const root = join(tmpdir(), 'dgmw-bench-fashion-mnist-png')
  note('bench predict: writing Fashion-MNIST as PNG files (first run only)…')
  await writePngFolder(root)
  const classes = readdirSync(root)
    .filter((d) => !d.startsWith('.'))
    .sort()
  const files = classes.map((c) =>
    readdirSync(join(root, c))
      .sort()
      .map((f) => join(root, c, f))
  )
  const test = files.flat().filter((f) => f.includes('t10k-'))
  const work = join(tmpdir(), `dgmw-bench-predict-${process.pid}`)
  const workbench = createWorkbench({ dataDir: join(work, 'home'), log: () => {} })
  try {
    // A classifier to predict with: one epoch on 100 training images per class.
    const subset = join(work, 'subset')
    classes.forEach((c, k) => {
      mkdirSync(join(subset, c), { recursive: true })
      for (const f of files[k].filter((f) => f.includes('train-')).slice(0, 100))
        copyFileSync(f, join(subset, c, f.split('/').pop()!))
    })
    const imported = await importDataset(workbench.store, workbench.dataDir, subset, {
      size: 28,
      channels: 1
    })
    const status = await workbench.engine.ready()
    note(`bench predict: training a small classifier on ${status.active}…`)
    const queued = workbench.runs.start({
      datasetId: imported.dataset.id,
      recipe: 'classifier',
      config: classifierConfigSchema.parse({ epochs: 1 })
    })
    const run = await workbench.runs.settled(queued.id)
    if (run.status !== 'completed')
      throw new Error(`the classifier run ${run.status}: ${run.error}`)
    const exports: PredictBenchResult['exports'] = []
    for (const format of ['tfjs', 'onnx'] as const) {
      note(`bench predict: exporting ${format}…`)
      const { seconds, value } = await timed(1, () =>
        workbench.exports.exportRun({
          id: run.id,
          format,
          out: join(work, format),
          force: false,
          includePaths: false
        })
      )
      exports.push({
        format,
        seconds,
        bytes: value.bytes,
        maxDifference: value.networks[0].verification.maxDifference
      })
    }
    note(`bench predict: workbench predicting ${test.length} PNG files…`)
    const byRun = await timed(test.length, () =>
      workbench.predictions.predict({ source: { runId: run.id }, paths: test, topK: 5 })
    )
    const byExport = await timed(test.length, () =>
      workbench.predictions.predict({
        source: { exportDir: join(work, 'tfjs') },
        paths: test,
        topK: 5
      })
    )
    for (const r of [byRun, byExport])
      if (r.value.predictions.length !== test.length)
        throw new Error(`predicted ${r.value.predictions.length} of ${test.length} images`)
    let reference: PredictBenchResult['reference'] = null
    let referenceError: string | undefined
    const script = referenceScript('predict_torch.py')
    if (python && script) {
      note('bench predict: PIL + PyTorch reference…')
      const list = join(work, 'files.txt')
      writeFileSync(list, test.join('\n'))
      const run = runReferenceScript<NonNullable<PredictBenchResult['reference']>>(python, script, [
        list,
        String(availableParallelism())
      ])
      if ('error' in run) referenceError = run.error
      else reference = run.report
    } else if (python) referenceError = missingScriptMessage('predict_torch.py')
    else
      referenceError = 'no Python with PIL, numpy and torch (install python3-pil and python3-torch)'
    const strip = ({ seconds, imagesPerSecond }: Timed): Timed => ({ seconds, imagesPerSecond })
    return {
      images: test.length,
      backend: status.active ?? 'unknown',
      exports,
      workbench: {
        byRun: strip(byRun),
        byExport: strip(byExport),
        threads: availableParallelism()
      },
      reference,
      referenceError,
      ratio: reference ? byRun.imagesPerSecond / reference.imagesPerSecond : null,
      target: 1
    }
  } finally {
    await workbench.close()
    rmSync(work, { recursive: true, force: true })
  }
}
