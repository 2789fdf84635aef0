/**
 * Reads an image folder: scans it, picks the size when none is given, and decodes every candidate
 * into the staging file with as many decodes in flight as the machine has cores (libvips decodes
 * on libuv's thread pool, so the JavaScript thread only orchestrates).
 */
import type { Collected, CollectedImage } from './collected'
import { StagingFile } from './collected'
import { probeImage } from './decodeImage'
import { decodeAll } from './decodePool'
import type { ImportProgress } from './progress'
import { progressMeter } from './progress'
import { scanFolder } from './scanFolder'

export const sizeChoices = [28, 32, 64, 128]

/**
 * The largest standard size not above the median short side of a sample, so images are shrunk
 * rather than blown up (at least 28, at most 128).
 */
export async function pickSize(paths: string[]): Promise<number> {
  const sample = paths
    .filter((_, i) => i % Math.max(1, Math.floor(paths.length / 64)) === 0)
    .slice(0, 64)
  const sides = (await Promise.all(sample.map(probeImage)))
    .filter((d) => d)
    .map((d) => Math.min(d!.width, d!.height))
  if (sides.length === 0) return 32
  const median = sides.sort((a, b) => a - b)[Math.floor(sides.length / 2)]
  return [...sizeChoices].reverse().find((s) => s <= median) ?? sizeChoices[0]
}

export interface FolderOptions {
  size?: number
  channels?: 1 | 3
  fit: 'cover' | 'contain'
  unlabelled: boolean
  stagingPath: string
  onProgress?: (p: ImportProgress) => void
}

export async function collectFolder(root: string, options: FolderOptions): Promise<Collected> {
  const scan = await scanFolder(root, { unlabelled: options.unlabelled })
  const size = options.size ?? (await pickSize(scan.candidates.map((c) => c.path)))
  const channels = options.channels ?? 3
  const staging = await StagingFile.create(options.stagingPath, size * size * channels)
  const classIndex = new Map(scan.classNames.map((name, i) => [name, i]))
  const meter = progressMeter(scan.candidates.length, options.onProgress ?? (() => {}))
  const images: (CollectedImage | null)[] = new Array(scan.candidates.length).fill(null)
  const skipped = [...scan.skipped]

  // The staging file must exist at full size before workers write into it at offsets.
  await staging.write(
    Math.max(0, scan.candidates.length - 1),
    new Uint8Array(staging.bytesPerImage)
  )
  const tasks = scan.candidates.map((c, slot) => ({ slot, path: c.path }))
  await decodeAll(
    tasks,
    options.stagingPath,
    { size, channels, fit: options.fit, trackGrey: options.channels === undefined },
    (results) => {
      for (const r of results) {
        const candidate = scan.candidates[r.slot]
        if (r.ok) {
          images[r.slot] = {
            rel: candidate.rel,
            label: candidate.className === null ? null : classIndex.get(candidate.className)!,
            split: candidate.split,
            sha256: r.sha256,
            slot: r.slot,
            grey: r.grey
          }
        } else skipped.push({ path: candidate.rel, reason: r.reason, detail: r.detail })
      }
      meter.tick(results.length)
    }
  )

  return {
    kind: scan.layout,
    classNames: scan.classNames,
    size,
    channels,
    channelsFixed: options.channels !== undefined,
    images: images.filter((i): i is CollectedImage => i !== null),
    staging,
    skipped: skipped.sort((a, b) => a.path.localeCompare(b.path)),
    emptyClasses: scan.emptyClasses,
    notes: options.size ? [] : [`size ${size}×${size} picked from the images' median short side`]
  }
}
