/**
 * What the contract offers for datasets: import (with progress events), details with the cleaning
 * report, pages of images, cached pixels for thumbnails, deletion, and uploads for browser mode.
 */
import { spreadOverClasses } from './spreadOverClasses'
import { randomUUID } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import type {
  DatasetDetail,
  DatasetSummary,
  ImagePixels,
  ImportReport,
  ValidArgs
} from '../../preload/contract'
import type { EventBus } from '../host/eventBus'
import { UserError } from '../platform/userError'
import { userPath } from '../platform/userPath'
import type { RunStore } from '../store/runStore'
import { augmentBatch } from './augment'
import { readCachedImages } from './imageCache'
import { deleteDatasetAndCache } from './cacheFolders'
import { classSplitCounts, readImportReport } from './datasetCounts'
import { importDataset } from './importDataset'

/** Largest single file accepted by an upload. */
const maxUploadBytes = 64 * 2 ** 20

export function createDatasetService(deps: { store: RunStore; dataDir: string; bus: EventBus }) {
  const { store, dataDir, bus } = deps
  const uploads = new Map<string, string>()

  /** Where a dataset's pixels are, and its geometry (one store read). */
  const cacheOf = (id: number) => {
    const dataset = store.datasets.get(id)
    const [width, height, channels] = [
      dataset.width ?? 0,
      dataset.height ?? 0,
      dataset.channels ?? 0
    ]
    const file = dataset.meta.cacheFile as string
    return {
      file,
      bytesPerImage: width * height * channels,
      width,
      height,
      channels,
      count: dataset.imageCount
    }
  }

  return {
    async import(args: ValidArgs<'datasets/import'>): Promise<ImportReport> {
      const importId = args.importId ?? randomUUID()
      return importDataset(store, dataDir, userPath(args.path), {
        ...args,
        onProgress: (p) => bus.emit('import/progress', { importId, ...p })
      })
    },

    async get(id: number): Promise<DatasetDetail> {
      const { meta, ...summary } = store.datasets.get(id)
      const { classCounts, splits } = classSplitCounts(store, summary)
      const report = await readImportReport(meta)
      return { ...summary, fit: String(meta.fit ?? 'cover'), classCounts, splits, ...report }
    },

    images: (args: ValidArgs<'datasets/images'>) => store.datasets.listImages(args.id, args),

    /** Pixels straight from the uint8 cache (never re-decoding originals). */
    async pixels(id: number, indices: number[]): Promise<ImagePixels> {
      const cache = cacheOf(id)
      const count = cache.count
      const bad = indices.find((i) => i >= count)
      if (bad !== undefined)
        throw new UserError(
          `Image ${bad} does not exist; dataset ${id} has ${count} images.`,
          'not-found'
        )
      const out = await readCachedImages(cache.file, indices, cache.bytesPerImage)
      return {
        width: cache.width,
        height: cache.height,
        channels: cache.channels,
        data: out.toString('base64')
      }
    },

    /** Originals and augmented copies of the first few training images, for the preview grid. */
    async augmentPreview(
      args: ValidArgs<'datasets/augmentPreview'>
    ): Promise<ImagePixels & { indices: number[]; labels: (number | null)[] }> {
      // One training image of each of several classes (a dataset is often stored class by class).
      const rows = store.datasets.labelsAndSplits(args.id)
      const train = rows.flatMap((r, idx) => (r.split === 'train' ? [idx] : []))
      const indices = spreadOverClasses(train, (i) => rows[i].label, args.images)
      const originals = await this.pixels(args.id, indices)
      const { width, height, channels } = originals
      const shape = { height, width, channels }
      const size = width * height * channels
      const source = Buffer.from(originals.data, 'base64')
      const out = Buffer.alloc(indices.length * (args.copies + 1) * size)
      indices.forEach((_, k) => {
        const image = source.subarray(k * size, (k + 1) * size)
        const copies = augmentBatch(
          Buffer.concat(Array(args.copies).fill(image)),
          args.copies,
          shape,
          args.augmentation,
          args.seed + k
        )
        out.set(image, k * (args.copies + 1) * size)
        out.set(copies, (k * (args.copies + 1) + 1) * size)
      })
      const labels = indices.map((i) => rows[i].label)
      return { width, height, channels, data: out.toString('base64'), indices, labels }
    },

    /** The dataset already imported from a typed path (asked before importing it again). */
    findImported(typed: string): { path: string; dataset: DatasetSummary | null } {
      const path = userPath(typed)
      return { path, dataset: store.datasets.findBySource(path) ?? null }
    },

    rename: (id: number, name: string): DatasetSummary => store.datasets.rename(id, name),

    async delete(id: number): Promise<void> {
      await deleteDatasetAndCache(store, dataDir, id)
    },

    async beginUpload(name: string): Promise<{ uploadId: string }> {
      const uploadId = randomUUID()
      const folder = join(dataDir, 'uploads', uploadId, name.replace(/[/\\\0]/g, '_'))
      await mkdir(folder, { recursive: true })
      uploads.set(uploadId, folder)
      return { uploadId }
    },

    async uploadFile(uploadId: string, path: string, data: string): Promise<void> {
      const folder = uploads.get(uploadId)
      if (!folder)
        throw new UserError(
          'This upload is unknown or finished; start the import again.',
          'not-found'
        )
      const parts = path.split(/[/\\]/)
      if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0'))) {
        throw new UserError(
          `Refused upload path "${path}": it must be a relative path inside the dropped folder.`,
          'invalid-args'
        )
      }
      const target = resolve(folder, ...parts)
      if (!target.startsWith(folder + sep))
        throw new UserError(`Refused upload path "${path}".`, 'invalid-args')
      const bytes = Buffer.from(data, 'base64')
      if (bytes.length > maxUploadBytes)
        throw new UserError(
          `${path} is larger than ${maxUploadBytes / 2 ** 20} MiB; import it from a path on this machine instead.`
        )
      await mkdir(dirname(target), { recursive: true })
      await writeFile(target, bytes)
    },

    async finishUpload(uploadId: string): Promise<{ path: string }> {
      const folder = uploads.get(uploadId)
      if (!folder)
        throw new UserError(
          'This upload is unknown or finished; start the import again.',
          'not-found'
        )
      uploads.delete(uploadId)
      return { path: folder }
    },

    /**
     * Removes a finished upload (the files of a prediction are not kept: the reply holds what the
     * model saw). Only folders the uploads created can go, never anything else in the data dir.
     */
    async discardUpload(path: string): Promise<void> {
      const root = join(dataDir, 'uploads')
      const inside = relative(root, resolve(path)).split(sep)
      if (inside.length < 1 || inside[0] === '..' || inside[0] === '' || isAbsolute(inside[0]))
        throw new UserError(`${path} is not an upload folder; nothing was removed.`)
      await rm(join(root, inside[0]), { recursive: true, force: true })
    }
  }
}

export type DatasetService = ReturnType<typeof createDatasetService>
