/**
 * `dgmw bench import`: writes Fashion-MNIST as 70,000 PNG files (an ImageFolder, once, cached in
 * the temp folder), then times the workbench import of that folder (decode, resize, hash, cache,
 * index) against bench/reference/import_pil.py (PIL + numpy with a worker per core) in the same
 * invocation.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { readIdxImages, readIdxLabels } from '../datasets/idxReader'
import { importDataset } from '../datasets/importDataset'
import { UserError } from '../platform/userError'
import { openRunStore } from '../store/runStore'
import { missingScriptMessage, referenceScript, runReferenceScript } from './pytorchReference'

export interface ImportBenchResult {
  images: number
  workbench: { seconds: number; imagesPerSecond: number; threads: number }
  reference: { seconds: number; imagesPerSecond: number; workers: number; pil: string } | null
  referenceError?: string
  ratio: number | null
  target: number
}

const fashionMnist = '/usr/share/datasets/fashion-mnist'

/** Writes the 70,000 Fashion-MNIST images as PNGs under root/<class>/, unless already there. */
export async function writePngFolder(root: string): Promise<number> {
  const done = join(root, '.complete')
  if (existsSync(done))
    return Number(
      readdirSync(root)
        .filter((d) => !d.startsWith('.'))
        .reduce((n, d) => n + readdirSync(join(root, d)).length, 0)
    )
  if (!existsSync(join(fashionMnist, 'train-images-idx3-ubyte.gz'))) {
    throw new UserError(
      `The import bench writes its PNGs from Fashion-MNIST: install Debian's dataset-fashion-mnist (files under ${fashionMnist}).`
    )
  }
  rmSync(root, { recursive: true, force: true })
  let count = 0
  for (const part of ['train', 't10k']) {
    const images = await readIdxImages(join(fashionMnist, `${part}-images-idx3-ubyte.gz`))
    const labels = await readIdxLabels(join(fashionMnist, `${part}-labels-idx1-ubyte.gz`))
    const jobs: Promise<unknown>[] = []
    for (let i = 0; i < images.count; i++) {
      const folder = join(root, `class-${labels[i]}`)
      mkdirSync(folder, { recursive: true })
      const pixels = images.pixels.subarray(i * 784, (i + 1) * 784)
      jobs.push(
        sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } })
          .png()
          .toFile(join(folder, `${part}-${String(i).padStart(5, '0')}.png`))
      )
      if (jobs.length >= 64) await Promise.all(jobs.splice(0))
      count++
    }
    await Promise.all(jobs)
  }
  writeFileSync(done, String(count))
  return count
}

export async function runImportBench(
  python: string | undefined,
  note: (m: string) => void
): Promise<ImportBenchResult> {
  const root = join(tmpdir(), 'dgmw-bench-fashion-mnist-png')
  note('bench import: writing Fashion-MNIST as PNG files (first run only)…')
  const images = await writePngFolder(root)
  const work = join(tmpdir(), `dgmw-bench-import-${process.pid}`)
  mkdirSync(work, { recursive: true })
  try {
    note(`bench import: workbench importing ${images} PNGs…`)
    const store = openRunStore(join(work, 'workbench.sqlite'))
    const started = performance.now()
    const report = await importDataset(store, work, root, { size: 28, channels: 1 })
    const seconds = (performance.now() - started) / 1000
    store.close()
    if (report.imported + report.skipped.length !== images)
      throw new Error(`imported ${report.imported} of ${images}`)
    let reference: ImportBenchResult['reference'] = null
    let referenceError: string | undefined
    const script = referenceScript('import_pil.py')
    if (python && script) {
      note('bench import: PIL reference…')
      const run = runReferenceScript<NonNullable<ImportBenchResult['reference']>>(
        python,
        script,
        [root, join(work, 'pil.u8'), String(availableParallelism())],
        { env: { ...process.env, SIZE: '28', CHANNELS: '1' } }
      )
      if ('error' in run) referenceError = run.error
      else reference = run.report
    } else if (python) referenceError = missingScriptMessage('import_pil.py')
    else referenceError = 'no Python with PIL and numpy (install python3-pil and python3-numpy)'
    const workbench = {
      seconds,
      imagesPerSecond: images / seconds,
      threads: availableParallelism()
    }
    return {
      images,
      workbench,
      reference,
      referenceError,
      ratio: reference ? workbench.imagesPerSecond / reference.imagesPerSecond : null,
      target: 2
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
