/**
 * Reads array-format datasets — IDX (MNIST, Fashion-MNIST) and CIFAR-10/100 binary batches — into
 * the staging file, resizing or changing channels only when asked to.
 */
import { existsSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import sharp from 'sharp'
import type { SplitName } from '../../preload/contract'
import { UserError } from '../platform/userError'
import { readCifarBatch, readNames } from './cifarReader'
import { StagingFile, type Collected, type CollectedImage } from './collected'
import { readIdxImages, readIdxLabels } from './idxReader'
import { progressMeter, type ImportProgress } from './progress'

export const fashionMnistNames = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot'
]

interface ArrayPart {
  file: string
  split: SplitName
  pixels: Uint8Array
  labels: Uint8Array
  height: number
  width: number
  channels: 1 | 3
}

export interface ArraySource {
  kind: 'idx' | 'cifar-10' | 'cifar-100'
  dir: string
  parts: { images: string; labels?: string; split: SplitName }[]
}

const idxImagePattern = /^(.*)-images[-.]idx3-ubyte(\.gz)?$/

/** Recognises IDX files or CIFAR batches at `path` (a file or a folder), or returns undefined. */
export async function detectArraySource(path: string): Promise<ArraySource | undefined> {
  const isDir = (await stat(path)).isDirectory()
  const dir = isDir ? path : dirname(path)
  const names = isDir ? (await readdir(dir)).sort() : [basename(path)]
  const idx = names.filter((n) => idxImagePattern.test(n))
  if (idx.length > 0) {
    const all = await readdir(dir)
    const order: Record<SplitName, number> = { train: 0, val: 1, test: 2 }
    return {
      kind: 'idx',
      dir,
      // Training files first, so image indices follow the usual train-then-test order.
      parts: idx
        .map((images) => {
          const stem = idxImagePattern.exec(images)![1]
          const labels = all.find((n) =>
            new RegExp(`^${stem}-labels[-.]idx1-ubyte(\\.gz)?$`).test(n)
          )
          const split: SplitName = /^(t10k|test)/.test(stem) ? 'test' : 'train'
          return { images: join(dir, images), labels: labels && join(dir, labels), split }
        })
        .sort((a, b) => order[a.split] - order[b.split])
    }
  }
  if (!isDir) return undefined
  if (names.includes('data_batch_1.bin')) {
    const batches = names
      .filter((n) => /^data_batch_\d+\.bin$/.test(n))
      .map((n) => ({ images: join(dir, n), split: 'train' as SplitName }))
    if (names.includes('test_batch.bin'))
      batches.push({ images: join(dir, 'test_batch.bin'), split: 'test' })
    return { kind: 'cifar-10', dir, parts: batches }
  }
  if (names.includes('train.bin') && names.includes('fine_label_names.txt')) {
    const parts = [{ images: join(dir, 'train.bin'), split: 'train' as SplitName }]
    if (names.includes('test.bin')) parts.push({ images: join(dir, 'test.bin'), split: 'test' })
    return { kind: 'cifar-100', dir, parts }
  }
  return undefined
}

async function readParts(source: ArraySource): Promise<ArrayPart[]> {
  const parts: ArrayPart[] = []
  for (const part of source.parts) {
    if (source.kind === 'idx') {
      if (!part.labels)
        throw new UserError(
          `${part.images} has no matching labels file (…-labels-idx1-ubyte). Put it beside the images file, or import the folder as --unlabeled images.`
        )
      const images = await readIdxImages(part.images)
      const labels = await readIdxLabels(part.labels)
      if (labels.length !== images.count)
        throw new UserError(
          `${part.images} holds ${images.count} images but ${part.labels} holds ${labels.length} labels.`
        )
      parts.push({
        file: basename(part.images),
        split: part.split,
        pixels: images.pixels,
        labels,
        height: images.rows,
        width: images.cols,
        channels: 1
      })
    } else {
      const batch = await readCifarBatch(part.images, source.kind === 'cifar-10' ? 1 : 2)
      parts.push({
        file: basename(part.images),
        split: part.split,
        pixels: batch.pixels,
        labels: batch.labels,
        height: 32,
        width: 32,
        channels: 3
      })
    }
  }
  return parts
}

async function classNames(
  source: ArraySource,
  labelCount: number
): Promise<{ names: string[]; note?: string }> {
  const files = {
    idx: 'labels.txt',
    'cifar-10': 'batches.meta.txt',
    'cifar-100': 'fine_label_names.txt'
  }
  const file = join(source.dir, files[source.kind])
  if (existsSync(file))
    return { names: await readNames(file), note: `class names from ${files[source.kind]}` }
  if (source.kind === 'idx' && labelCount === 10 && /fashion/i.test(source.dir)) {
    return {
      names: fashionMnistNames,
      note: 'class names: Fashion-MNIST (recognised from the folder name)'
    }
  }
  return {
    names: Array.from({ length: labelCount }, (_, i) => String(i)),
    note: `no ${files[source.kind]}; classes are named by their index`
  }
}

/** Resamples one image (and converts channels) when the dataset's size or channels differ. */
async function convert(
  pixels: Uint8Array,
  part: ArrayPart,
  size: number,
  channels: 1 | 3
): Promise<Uint8Array> {
  if (size === part.height && size === part.width && channels === part.channels) return pixels
  const { data } = await sharp(pixels, {
    raw: { width: part.width, height: part.height, channels: part.channels }
  })
    .resize(size, size, { fit: 'fill' })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
  return new Uint8Array(data)
}

export async function collectArrays(
  source: ArraySource,
  options: {
    size?: number
    channels?: 1 | 3
    stagingPath: string
    onProgress?: (p: ImportProgress) => void
  }
): Promise<Collected> {
  const parts = await readParts(source)
  const size = options.size ?? parts[0].height
  const channels = options.channels ?? parts[0].channels
  const staging = await StagingFile.create(options.stagingPath, size * size * channels)
  const total = parts.reduce((sum, p) => sum + p.labels.length, 0)
  const meter = progressMeter(total, options.onProgress ?? (() => {}))
  const images: CollectedImage[] = []
  let maxLabel = 0
  for (const part of parts) {
    const stride = part.height * part.width * part.channels
    for (let i = 0; i < part.labels.length; i++) {
      const slot = images.length
      await staging.write(
        slot,
        await convert(part.pixels.subarray(i * stride, (i + 1) * stride), part, size, channels)
      )
      images.push({
        rel: `${part.file}#${i}`,
        label: part.labels[i],
        split: part.split,
        sha256: null,
        slot,
        grey: false
      })
      maxLabel = Math.max(maxLabel, part.labels[i])
      if (i % 1000 === 999) meter.tick(1000)
    }
    meter.tick(part.labels.length % 1000)
  }
  const names = await classNames(source, maxLabel + 1)
  if (names.names.length <= maxLabel)
    throw new UserError(
      `Label ${maxLabel} appears but only ${names.names.length} class names are listed in ${source.dir}.`
    )
  return {
    kind: source.kind,
    classNames: names.names,
    size,
    channels,
    channelsFixed: true,
    images,
    staging,
    skipped: [],
    emptyClasses: [],
    notes: names.note ? [names.note] : []
  }
}
