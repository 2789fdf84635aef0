import { open, type FileHandle } from 'node:fs/promises'
import type { SkippedFile, SplitName } from '../../preload/contract'

/** One image that decoded; its pixels sit at `slot` in the staging file. */
export interface CollectedImage {
  rel: string
  label: number | null
  split: SplitName | null
  sha256: string | null
  slot: number
  /** All three channels equal (only tracked when decoding to 3 channels in auto mode). */
  grey: boolean
}

/** What a source reader hands to the import: images staged on disk, and what it skipped. */
export interface Collected {
  kind: 'image-folder' | 'split-image-folder' | 'unlabelled' | 'idx' | 'cifar-10' | 'cifar-100'
  classNames: string[]
  size: number
  /** Channels per staged image. */
  channels: 1 | 3
  /** Whether the channel count was chosen by the user (else it may collapse to 1 if all grey). */
  channelsFixed: boolean
  images: CollectedImage[]
  staging: StagingFile
  skipped: SkippedFile[]
  emptyClasses: string[]
  notes: string[]
}

/** Fixed-size slots in a staging file, so decoded images never pile up in memory. */
export class StagingFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly bytesPerImage: number
  ) {}

  static async create(path: string, bytesPerImage: number): Promise<StagingFile> {
    return new StagingFile(path, await open(path, 'w+'), bytesPerImage)
  }

  async write(slot: number, pixels: Uint8Array): Promise<void> {
    await this.handle.write(pixels, 0, this.bytesPerImage, slot * this.bytesPerImage)
  }

  /** Reads `count` consecutive slots starting at `first` into `into`. */
  async readRange(first: number, count: number, into: Uint8Array): Promise<void> {
    await this.handle.read(into, 0, count * this.bytesPerImage, first * this.bytesPerImage)
  }

  close(): Promise<void> {
    return this.handle.close()
  }
}

export function isGrey(pixels: Uint8Array, channels: number): boolean {
  if (channels === 1) return true
  for (let i = 0; i < pixels.length; i += 3)
    if (pixels[i] !== pixels[i + 1] || pixels[i] !== pixels[i + 2]) return false
  return true
}
