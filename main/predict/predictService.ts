/**
 * Predicts the classes of image files and folders with a run or an exported TF.js folder. Files
 * are found and decoded by the dataset import's own code (scanFolder, the decode workers with the
 * dataset's size and channels), so a predicted image is preprocessed exactly as training images
 * were; every file that cannot be predicted is listed with the import's reasons.
 */
import { randomUUID } from 'node:crypto'
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { ImagePrediction, PredictReport, SkippedFile, ValidArgs } from '../../preload/contract'
import type { EngineHost } from '../engine/engineHost'
import type { ModelSource } from '../engine/engineMessages'
import { decodeAll } from '../datasets/decodePool'
import { hasImageExtension } from '../datasets/imageFiles'
import { scanFolder } from '../datasets/scanFolder'
import { readExportMetadata, type ExportMetadata } from '../engine/export/exportMetadata'
import { runModelSource } from '../runs/modelSource'
import { UserError } from '../platform/userError'
import type { RunStore } from '../store/runStore'

/** Thumbnails come back for this many images at most (the table shows them; the rest still predict). */
const maxThumbnails = 5000

export interface PredictServiceOptions {
  store: RunStore
  dataDir: string
  engine: () => EngineHost
}

interface ResolvedSource {
  source: ModelSource
  report: PredictReport['source']
  labels: string[]
  shape: { height: number; width: number; channels: number }
  fit: 'cover' | 'contain'
}

export function createPredictService({ store, dataDir, engine }: PredictServiceOptions) {
  function resolveSource(args: ValidArgs<'predict/images'>['source']): ResolvedSource {
    if ('runId' in args) {
      const { run, source, fit } = runModelSource(store, dataDir, args.runId)
      const { height, width, channels } = source.data
      return {
        source,
        report: { runId: run.id, name: run.name ?? `Run ${run.id}` },
        labels: run.classNames,
        shape: { height, width, channels },
        fit
      }
    }
    const { dir, metadata } = exportFolder(args.exportDir)
    return {
      source: { kind: 'exported', dir },
      report: { exportDir: dir, name: metadata.name },
      labels: metadata.labels,
      shape: metadata.input,
      fit: metadata.preprocessing.fit
    }
  }

  return {
    async predict(args: ValidArgs<'predict/images'>): Promise<PredictReport> {
      const resolved = resolveSource(args.source)
      const { shape, labels } = resolved
      if (shape.height !== shape.width)
        throw new UserError(
          'Only square model inputs can be predicted (the import size is square).'
        )
      const { files, skipped } = await collectImages(args.paths)
      const perImage = shape.height * shape.width * shape.channels
      const decoded = await decodeFiles(files, dataDir, shape, resolved.fit, perImage, skipped)
      if (decoded.paths.length === 0)
        return {
          source: resolved.report,
          labels,
          predictions: [],
          skipped,
          thumbnails: {
            width: shape.width,
            height: shape.height,
            channels: shape.channels,
            data: '',
            count: 0
          }
        }
      const result = await engine().task({
        kind: 'predict',
        source: resolved.source,
        pixels: decoded.pixels,
        count: decoded.paths.length
      })
      const predictions = decoded.paths.map((path, i) =>
        prediction(
          path,
          result.probabilities.subarray(i * result.classes, (i + 1) * result.classes),
          labels,
          args.topK,
          result.ood?.[i]
        )
      )
      const thumbnailCount = Math.min(decoded.paths.length, maxThumbnails)
      const ood =
        resolved.source.kind === 'generative' && resolved.source.oodThreshold !== undefined
          ? {
              threshold: resolved.source.oodThreshold,
              quantile: resolved.source.model.config.oodQuantile,
              flagged: predictions.filter((p) => p.outOfDistribution).length
            }
          : undefined
      return {
        source: resolved.report,
        labels,
        predictions,
        skipped,
        thumbnails: {
          width: shape.width,
          height: shape.height,
          channels: shape.channels,
          count: thumbnailCount,
          data: Buffer.from(decoded.pixels.subarray(0, thumbnailCount * perImage)).toString(
            'base64'
          )
        },
        ...(ood ? { outOfDistribution: ood } : {})
      }
    }
  }
}

function prediction(
  path: string,
  probabilities: Float32Array,
  labels: string[],
  topK: number,
  outOfDistribution: boolean | undefined
): ImagePrediction {
  const ranked = Array.from(probabilities, (probability, index) => ({ index, probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, Math.min(topK, labels.length))
    .map((p) => ({ label: labels[p.index], index: p.index, probability: p.probability }))
  return {
    path,
    top1: ranked[0].label,
    top1Index: ranked[0].index,
    probability: ranked[0].probability,
    topK: ranked,
    ...(outOfDistribution !== undefined ? { outOfDistribution } : {})
  }
}

/** An exported folder (the path resolved) and its metadata.json; a bad one is the user's error. */
export function exportFolder(path: string): { dir: string; metadata: ExportMetadata } {
  const dir = resolve(path)
  try {
    return { dir, metadata: readExportMetadata(dir) }
  } catch (error) {
    throw new UserError((error as Error).message)
  }
}

/** Image files named directly or found in folders (recursively), in the order given. */
async function collectImages(
  paths: string[]
): Promise<{ files: string[]; skipped: SkippedFile[] }> {
  const files: string[] = []
  const skipped: SkippedFile[] = []
  for (const given of paths) {
    const path = resolve(given)
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => error)
    if (info instanceof Error) {
      skipped.push({
        path,
        reason: 'unreadable',
        detail: info.code === 'ENOENT' ? 'no such file or folder' : `cannot be read: ${info.code}`
      })
    } else if (info.isDirectory()) {
      const scan = await scanFolder(path, { unlabelled: true })
      files.push(...scan.candidates.map((c) => c.path))
      skipped.push(...scan.skipped.map((s) => ({ ...s, path: join(path, s.path) })))
    } else if (!hasImageExtension(path)) {
      skipped.push({
        path,
        reason: 'not-image',
        detail: 'not an image file extension (PNG, JPEG, WebP, GIF, BMP, TIFF)'
      })
    } else files.push(path)
  }
  return { files, skipped }
}

/** Decodes with the import's workers into a staging file; failed files join `skipped`. */
export async function decodeFiles(
  files: string[],
  dataDir: string,
  shape: { height: number; channels: number },
  fit: 'cover' | 'contain',
  perImage: number,
  skipped: SkippedFile[]
): Promise<{ paths: string[]; pixels: Uint8Array }> {
  if (files.length === 0) return { paths: [], pixels: new Uint8Array(0) }
  const staging = join(dataDir, 'tmp', `predict-${randomUUID()}.bin`)
  mkdirSync(join(dataDir, 'tmp'), { recursive: true })
  const fd = openSync(staging, 'w')
  ftruncateSync(fd, files.length * perImage)
  closeSync(fd)
  try {
    const ok = new Array<boolean>(files.length).fill(false)
    await decodeAll(
      files.map((path, slot) => ({ slot, path })),
      staging,
      { size: shape.height, channels: shape.channels as 1 | 3, fit, trackGrey: false },
      (results) => {
        for (const r of results) {
          if (r.ok) ok[r.slot] = true
          else skipped.push({ path: files[r.slot], reason: r.reason, detail: r.detail })
        }
      }
    )
    const all = readFileSync(staging)
    const kept = files.flatMap((_, i) => (ok[i] ? [i] : []))
    const pixels = new Uint8Array(kept.length * perImage)
    kept.forEach((slot, k) =>
      pixels.set(all.subarray(slot * perImage, (slot + 1) * perImage), k * perImage)
    )
    return { paths: kept.map((i) => files[i]), pixels }
  } finally {
    rmSync(staging, { force: true })
  }
}
