/**
 * Imports a dataset: reads the source (image folder, IDX, CIFAR), removes exact duplicates, picks
 * the channel policy, splits, writes the uint8 pixel cache and the SQLite index, and returns the
 * cleaning report. Nothing is written to the store unless all of it succeeds; originals are only read.
 */
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import type { DatasetSummary, DuplicateGroup, ImportReport } from '../../preload/contract'
import { UserError } from '../platform/userError'
import { classSplitCounts, readImportReport } from './datasetCounts'
import type { ImageRow } from '../store/datasetImages'
import type { RunStore } from '../store/runStore'
import { collectArrays, detectArraySource } from './collectArrays'
import type { Collected, CollectedImage } from './collected'
import { collectFolder } from './collectFolder'
import type { ImportProgress } from './progress'
import { stratifiedSplit } from './splits'

export interface ImportOptions {
  name?: string
  size?: number
  channels?: 1 | 3
  fit?: 'cover' | 'contain'
  unlabelled?: boolean
  seed?: number
  /**
   * A source imported before is refused unless this says what to do: 'reimport' imports it again
   * as a new dataset, 'open' returns the existing dataset's report without reading the source.
   */
  onExisting?: 'reimport' | 'open'
  /** Fractions for validation and test when the source gives no split of its own. */
  valFraction?: number
  testFraction?: number
  onProgress?: (progress: ImportProgress) => void
}

/** Below this many images a class gets a warning. */
export const fewImagesThreshold = 10
/** Largest/smallest class ratio above which imbalance is reported. */
export const imbalanceRatio = 3

/** Exact duplicates by file hash: one copy kept within a class, none across classes. */
function dedupe(images: CollectedImage[]): {
  kept: CollectedImage[]
  duplicates: DuplicateGroup[]
} {
  const byHash = new Map<string, CollectedImage[]>()
  for (const image of images) {
    if (!image.sha256) continue
    let group = byHash.get(image.sha256)
    if (!group) byHash.set(image.sha256, (group = []))
    group.push(image)
  }
  const drop = new Set<CollectedImage>()
  const duplicates: DuplicateGroup[] = []
  for (const group of byHash.values()) {
    if (group.length < 2) continue
    const sameClass = group.every((g) => g.label === group[0].label)
    duplicates.push({ paths: group.map((g) => g.rel), sameClass })
    for (const image of sameClass ? group.slice(1) : group) drop.add(image)
  }
  duplicates.sort((a, b) => a.paths[0].localeCompare(b.paths[0]))
  return { kept: images.filter((i) => !drop.has(i)), duplicates }
}

function warningsFor(
  collected: Collected,
  classes: { name: string; count: number }[],
  duplicates: DuplicateGroup[]
): string[] {
  const warnings = [...collected.notes]
  for (const name of collected.emptyClasses)
    warnings.push(`class folder "${name}" has no images; it is left out`)
  for (const c of classes)
    if (c.count < fewImagesThreshold)
      warnings.push(`class "${c.name}" has only ${c.count} image${c.count === 1 ? '' : 's'}`)
  const counts = classes.map((c) => c.count).filter((n) => n > 0)
  if (counts.length > 1) {
    const ratio = Math.max(...counts) / Math.min(...counts)
    if (ratio > imbalanceRatio) {
      const most = classes.reduce((a, b) => (b.count > a.count ? b : a))
      const least = classes.reduce((a, b) => (b.count < a.count ? b : a))
      warnings.push(
        `classes are imbalanced: "${most.name}" has ${ratio.toFixed(1)}× the images of "${least.name}" (${most.count} vs ${least.count}); consider class weights`
      )
    }
  }
  const conflicting = duplicates.filter((d) => !d.sameClass).length
  if (conflicting > 0)
    warnings.push(
      `${conflicting} image${conflicting === 1 ? ' is' : 's are'} filed under more than one class; no copy of ${conflicting === 1 ? 'it' : 'them'} is used`
    )
  return warnings
}

/**
 * Writes the kept images, in order, to the final cache, collapsing to one channel if asked. The
 * staging file is read in large windows (kept slots ascend), not one image at a time.
 */
async function writeCache(
  collected: Collected,
  kept: CollectedImage[],
  channels: 1 | 3,
  file: string
): Promise<void> {
  const out = await open(file, 'w')
  const staged = collected.staging.bytesPerImage
  const pixelsOut = collected.size * collected.size * channels
  const window = Math.max(1, Math.floor((8 * 2 ** 20) / staged))
  const buffer = new Uint8Array(window * staged)
  const chunk = new Uint8Array(window * pixelsOut)
  try {
    for (let start = 0; start < kept.length;) {
      const first = kept[start].slot
      let end = start
      while (end < kept.length && kept[end].slot < first + window) end++
      const span = kept[end - 1].slot - first + 1
      await collected.staging.readRange(first, span, buffer)
      for (let k = start; k < end; k++) {
        const from = (kept[k].slot - first) * staged
        const to = (k - start) * pixelsOut
        if (channels === collected.channels) chunk.set(buffer.subarray(from, from + staged), to)
        else for (let p = 0; p < pixelsOut; p++) chunk[to + p] = buffer[from + p * 3] // grey: R = G = B
      }
      await out.write(chunk, 0, (end - start) * pixelsOut)
      start = end
    }
    await out.sync()
  } finally {
    await out.close()
  }
}

/** What the import said about a dataset imported earlier, rebuilt from the store and its report file. */
export async function existingReport(store: RunStore, id: number): Promise<ImportReport> {
  const { meta, ...dataset } = store.datasets.get(id)
  const { classCounts, splits } = classSplitCounts(store, dataset)
  const classes = dataset.classNames.map((name, label) => ({
    name,
    count: classCounts[label].train + classCounts[label].val + classCounts[label].test
  }))
  const report = await readImportReport(meta)
  return {
    dataset: { ...dataset, size: dataset.width ?? 0, cacheFile: meta.cacheFile as string },
    classes,
    splits,
    imported: dataset.imageCount,
    ...report
  }
}

/** The sentence for an import that found nothing usable: an empty folder, or only unusable files. */
export function nothingImportedMessage(
  source: string,
  skipped: readonly { path: string; detail: string }[]
): string {
  if (skipped.length === 0)
    return `${source} has no image files in it. Put the images in it (one subfolder per class, e.g. ${join(source, 'cat', '001.png')}) and import it again.`
  const [first] = skipped
  const fix =
    'Check that it holds image files (PNG, JPEG, WebP, GIF, BMP or TIFF) and import it again.'
  if (skipped.length === 1)
    return `The only file in ${source}, ${first.path}, could not be imported (${first.detail}). ${fix}`
  return `None of the ${skipped.length} files in ${source} could be imported: ${first.path} was skipped (${first.detail}), and ${skipped.length - 1} more (the report lists them). ${fix}`
}

export async function importDataset(
  store: RunStore,
  dataDir: string,
  sourcePath: string,
  options: ImportOptions = {}
): Promise<ImportReport> {
  const source = resolve(sourcePath)
  if (!existsSync(source))
    throw new UserError(
      `${source} does not exist. Check the path, or drop the folder onto the Datasets view.`
    )
  if (
    options.size !== undefined &&
    (!Number.isInteger(options.size) || options.size < 8 || options.size > 512)
  ) {
    throw new UserError(`Size must be a whole number of pixels from 8 to 512, not ${options.size}.`)
  }
  if (options.name !== undefined && store.datasets.findByName(options.name)) {
    throw new UserError(
      `A dataset named "${options.name}" already exists; pick another name with --name.`,
      'conflict'
    )
  }
  const existing = store.datasets.findBySource(source)
  if (existing && options.onExisting === 'open') return existingReport(store, existing.id)
  if (existing && options.onExisting !== 'reimport')
    throw new UserError(
      `${source} is already imported as dataset ${existing.id} "${existing.name}" (${existing.imageCount} images). Open that dataset, or import the folder again as a new dataset.`,
      'conflict'
    )
  const key = randomUUID()
  const datasetsDir = join(dataDir, 'datasets')
  // The pid marks it as this process's: a later process removes it only once this one is gone.
  const temp = join(datasetsDir, `${key}.partial-${process.pid}`)
  const final = join(datasetsDir, key)
  await mkdir(temp, { recursive: true })
  let collected: Collected | undefined
  try {
    const stagingPath = join(temp, 'staging.u8')
    const arrays = options.unlabelled ? undefined : await detectArraySource(source)
    if (!arrays && !(await stat(source)).isDirectory()) {
      throw new UserError(
        `${source} is a file but not an IDX file. Import a folder of images, IDX files or CIFAR batches.`
      )
    }
    collected = arrays
      ? await collectArrays(arrays, {
          size: options.size,
          channels: options.channels,
          stagingPath,
          onProgress: options.onProgress
        })
      : await collectFolder(source, {
          size: options.size,
          channels: options.channels,
          fit: options.fit ?? 'cover',
          unlabelled: options.unlabelled ?? false,
          stagingPath,
          onProgress: options.onProgress
        })
    const { kept, duplicates } = dedupe(collected.images)
    if (kept.length === 0) {
      throw new UserError(nothingImportedMessage(source, collected.skipped))
    }
    const channels: 1 | 3 = collected.channelsFixed
      ? collected.channels
      : kept.every((i) => i.grey)
        ? 1
        : 3
    const cacheFile = join(final, 'images.u8')
    await writeCache(collected, kept, channels, join(temp, 'images.u8'))

    const seed = options.seed ?? 1
    const splits = stratifiedSplit(
      kept.map((i) => i.label),
      kept.map((i) => i.split),
      { val: options.valFraction ?? 0.1, test: options.testFraction ?? 0.1 },
      seed
    )
    const classes = collected.classNames.map((name, label) => ({
      name,
      count: kept.filter((i) => i.label === label).length
    }))
    const warnings = warningsFor(collected, classes, duplicates)
    const rows: ImageRow[] = kept.map((image, idx) => ({
      idx,
      path: image.rel,
      label: image.label,
      split: splits[idx],
      sha256: image.sha256
    }))
    const splitCounts = { train: 0, val: 0, test: 0 }
    for (const s of splits) splitCounts[s]++
    const report = { skipped: collected.skipped, duplicates, warnings }
    await writeFile(join(temp, 'report.json'), JSON.stringify(report))
    await rename(temp, final)
    let dataset: DatasetSummary
    try {
      dataset = store.datasets.createWithImages(
        {
          name: options.name ?? basename(source),
          kind: collected.kind,
          sourcePath: source,
          imageCount: kept.length,
          classNames: collected.classNames,
          width: collected.size,
          height: collected.size,
          channels,
          meta: {
            key,
            cacheFile,
            fit: options.fit ?? 'cover',
            seed,
            splits: splitCounts,
            report: join(final, 'report.json')
          }
        },
        rows,
        // The folder's name, numbered if taken (by then: another process may import one too).
        { numberIfTaken: options.name === undefined }
      )
    } catch (error) {
      await rm(final, { recursive: true, force: true })
      throw error
    }
    return {
      dataset: { ...dataset, size: collected.size, cacheFile },
      classes,
      splits: splitCounts,
      imported: kept.length,
      ...report
    }
  } finally {
    await collected?.staging.close()
    await rm(temp, { recursive: true, force: true })
  }
}
