/**
 * A seeded corpus of bad files for the importer and predict, made at test time: real PNG, JPEG,
 * GIF, BMP, TIFF and WebP files of several sizes and modes (encoded by sharp, BMP by fast-bmp) in
 * class folders, and files derived from them that are broken in every way a folder of strangers'
 * files can be — bit flips, truncations, wrong extensions, decompression bombs, animations, FIFOs,
 * devices, bad links, odd names and over-long paths. Every entry it makes is in the manifest with
 * what the import must do with it, so a test can check that every file found is accounted for.
 */
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  symlinkSync,
  truncateSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import { crc32, deflateRawSync, constants as zlib } from 'node:zlib'
import { encode as encodeBmp } from 'fast-bmp'
import sharp from 'sharp'
import { seededRandom } from '../../main/platform/random'
import type { SkipReason } from '../../preload/contract'

/** What the import must do with an entry. */
export type Expectation =
  | { outcome: 'imported' }
  | { outcome: 'skipped'; reason: SkipReason; detail?: RegExp }
  /** Random damage: imported, or skipped with any reason (never missing, never a crash). */
  | { outcome: 'any' }
  /** Hidden files are passed over without a word, by policy. */
  | { outcome: 'ignored' }

export interface CorpusEntry {
  /** Relative to the root with forward slashes, as the report spells it ('/' ends a folder). */
  rel: string
  kind: string
  expect: Expectation
}

export interface Corpus {
  root: string
  seed: number
  entries: CorpusEntry[]
  /** FIFOs made, so a test that times out can unblock a reader stuck on one. */
  fifos: string[]
}

type Format = 'png' | 'jpeg' | 'gif' | 'bmp' | 'tiff' | 'webp'
const modes: Record<Format, string[]> = {
  png: ['grey', 'rgb', 'rgba', 'palette', 'grey16', 'rgb16'],
  jpeg: ['grey', 'rgb', 'cmyk', 'progressive'],
  gif: ['rgb', 'rgba'],
  bmp: ['grey', 'rgb', 'rgba'],
  tiff: ['grey', 'rgb', 'rgba', 'rgb16'],
  webp: ['rgb', 'rgba', 'lossless']
}
const formats = Object.keys(modes) as Format[]
const extensionOf: Record<Format, string> = {
  png: '.png',
  jpeg: '.jpg',
  gif: '.gif',
  bmp: '.bmp',
  tiff: '.tif',
  webp: '.webp'
}
const sides = [1, 5, 16, 28, 32, 47, 64, 100, 180]
export const classNames = ['apple', 'birch', 'cedar', 'daisy']

const imported: Expectation = { outcome: 'imported' }
const skipped = (reason: SkipReason, detail?: RegExp): Expectation => ({
  outcome: 'skipped',
  reason,
  detail
})

/** Noise over blocks of colour: every image differs, so no two encodings are duplicates. */
function pixels(random: () => number, width: number, height: number, channels: number): Buffer {
  const data = Buffer.alloc(width * height * channels)
  const base = Array.from({ length: channels }, () => Math.floor(random() * 256))
  const block = 1 + Math.floor(random() * 8)
  const shade = Array.from({ length: 64 }, () => Math.floor(random() * 96))
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const s = shade[(((x / block) | 0) % 8) + 8 * (((y / block) | 0) % 8)]
      for (let c = 0; c < channels; c++)
        data[(y * width + x) * channels + c] = (base[c] + s + Math.floor(random() * 24)) & 0xff
    }
  return data
}

async function encode(
  random: () => number,
  format: Format,
  mode: string,
  width: number,
  height: number
): Promise<Buffer> {
  const channels = mode.startsWith('grey') ? 1 : mode === 'rgba' ? 4 : 3
  const data = pixels(random, width, height, channels)
  if (format === 'bmp')
    return Buffer.from(
      encodeBmp({
        width,
        height,
        data,
        bitsPerPixel: channels * 8,
        components: channels === 4 ? 3 : channels,
        channels
      })
    )
  let image = sharp(data, { raw: { width, height, channels: channels as 1 | 3 | 4 } })
  if (mode === 'grey16') image = image.toColourspace('grey16')
  if (mode === 'rgb16') image = image.toColourspace('rgb16')
  if (mode === 'cmyk') image = image.toColourspace('cmyk')
  if (format === 'png') return image.png({ palette: mode === 'palette' }).toBuffer()
  if (format === 'jpeg') return image.jpeg({ progressive: mode === 'progressive' }).toBuffer()
  if (format === 'gif') return image.gif().toBuffer()
  if (format === 'tiff') return image.tiff({ compression: 'lzw' }).toBuffer()
  return image.webp({ lossless: mode === 'lossless' }).toBuffer()
}

async function animation(random: () => number, format: 'gif' | 'webp'): Promise<Buffer> {
  const side = 16 + Math.floor(random() * 32)
  const frames = 2 + Math.floor(random() * 6)
  const raw = { width: side, height: side * frames, channels: 3 as const, pageHeight: side }
  const image = sharp(pixels(random, side, side * frames, 3), { raw })
  return (format === 'gif' ? image.gif({ delay: 50 }) : image.webp({ delay: 50 })).toBuffer()
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length)
  head.write(type, 4, 'ascii')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])))
  return Buffer.concat([head, data, crc])
}

/** A PNG of the given declared size whose IDAT is `idat` (already zlib-wrapped); `tag` makes it unique. */
function pngWith(width: number, height: number, idat: Buffer, tag: string): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 8, 2, 0, 0, 0]) // 8-bit RGB
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('tEXt', Buffer.from(`Comment\0${tag}`, 'latin1')),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0))
  ])
}

/**
 * A zlib stream of `gib` GiB of zeros in a few megabytes, built by repeating one byte-aligned
 * deflate block (each starts with a literal and back-references only its own bytes), so the test
 * process never holds the gigabytes it describes.
 */
function zlibOfZeros(gib: number): Buffer {
  const piece = 16 * 2 ** 20
  const count = Math.round((gib * 2 ** 30) / piece)
  const block = deflateRawSync(Buffer.alloc(piece), { level: 9, finishFlush: zlib.Z_SYNC_FLUSH })
  const total = count * piece
  const adler = Buffer.alloc(4)
  adler.writeUInt32BE(((total % 65521) * 65536 + 1) >>> 0) // Adler-32 of zeros: a = 1, b = n
  return Buffer.concat([
    Buffer.from([0x78, 0xda]),
    ...new Array<Buffer>(count).fill(block),
    Buffer.from([0x03, 0x00]), // an empty final block
    adler
  ])
}

/** A real JPEG whose frame header now claims 65,000 × 65,000. */
function hugeJpeg(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes)
  for (let i = 2; i + 9 < out.length; i++)
    if (out[i] === 0xff && (out[i + 1] === 0xc0 || out[i + 1] === 0xc2)) {
      out.writeUInt16BE(65000, i + 5)
      out.writeUInt16BE(65000, i + 7)
      return out
    }
  throw new Error('no SOF marker in the JPEG')
}

/** A real BMP whose header now claims `width` × `height`. */
function bmpClaiming(bytes: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(bytes)
  out.writeInt32LE(width, 18)
  out.writeInt32LE(height, 22)
  return out
}

/** Writes the corpus under `root` (an empty folder): about `files` entries, drawn from `seed`. */
export async function writeBadFileCorpus(
  root: string,
  { files, seed }: { files: number; seed: number }
): Promise<Corpus> {
  const random = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]
  const entries: CorpusEntry[] = []
  const fifos: string[] = []
  for (const name of classNames) mkdirSync(join(root, name))
  let serial = 0
  /** A fresh name in a random class folder: `<class>/<kind>-<n><ext>`. */
  const place = (kind: string, ext: string, className = pick(classNames)): string =>
    `${className}/${kind}-${String(serial++).padStart(5, '0')}${ext}`
  const add = (rel: string, kind: string, expect: Expectation, bytes?: Buffer): string => {
    if (bytes) writeFileSync(join(root, rel), bytes)
    entries.push({ rel, kind, expect })
    return join(root, rel)
  }
  const valid = async (): Promise<{ bytes: Buffer; format: Format }> => {
    const format = pick(formats)
    // Most images small (datasets are), some larger; 1 × 1 and thin strips included.
    const width = pick(sides)
    const height = random() < 0.6 ? width : pick(sides)
    return { bytes: await encode(random, format, pick(modes[format]), width, height), format }
  }

  // One of each special entry (a few of the cheap ones), then random damage up to `files`.
  const scale = Math.max(1, Math.round(files / 400))

  // Names: newlines and other control characters, 255 bytes, non-ASCII, top level, hidden.
  for (const name of ['new\nline.png', 'carriage\rreturn.png', 'tab\tand\x1bescape.png']) {
    add(
      `${pick(classNames)}/${name}`,
      'control-characters-in-name',
      imported,
      (await valid()).bytes
    )
  }
  add(
    `${pick(classNames)}/${'n'.repeat(251)}.png`,
    'name-255-bytes',
    imported,
    (await valid()).bytes
  )
  add(
    `${pick(classNames)}/ünïcödé 名前 ‮gnp.exe.png`,
    'unicode-name',
    imported,
    (await valid()).bytes
  )
  add('top-level.png', 'top-level-image', skipped('not-image', /top level/), (await valid()).bytes)
  add(
    `${pick(classNames)}/.hidden.png`,
    'hidden-file',
    { outcome: 'ignored' },
    (await valid()).bytes
  )

  // Names that are not UTF-8: a file and a folder (written through Buffer paths).
  const badName = Buffer.concat([
    Buffer.from(`${classNames[0]}/bad-`),
    Buffer.from([0xff, 0xfe]),
    Buffer.from('.png')
  ])
  writeFileSync(Buffer.concat([Buffer.from(root + '/'), badName]), (await valid()).bytes)
  add(badName.toString('utf8'), 'name-not-utf8', skipped('unreadable', /not valid UTF-8/))
  const badFolder = Buffer.concat([
    Buffer.from(`${classNames[1]}/folder-`),
    Buffer.from([0xc3, 0x28])
  ])
  mkdirSync(Buffer.concat([Buffer.from(root + '/'), badFolder]))
  writeFileSync(
    Buffer.concat([Buffer.from(root + '/'), badFolder, Buffer.from('/inside.png')]),
    (await valid()).bytes
  )
  add(
    badFolder.toString('utf8') + '/',
    'folder-name-not-utf8',
    skipped('unreadable', /not valid UTF-8/)
  )

  // Paths: one just under PATH_MAX (4,096 bytes with its NUL), one folder past it.
  const segment = 'p'.repeat(200)
  let deep = `${classNames[2]}/deep`
  while (join(root, deep, segment).length + 1 + 12 < 4095) deep += `/${segment}`
  mkdirSync(join(root, deep), { recursive: true })
  const fill = 4095 - join(root, deep).length - 1 - 4
  add(
    `${deep}/${'f'.repeat(Math.min(fill, 200))}.png`,
    'path-near-path-max',
    imported,
    (await valid()).bytes
  )
  // Too long for any path-taking call: made with `cd` one folder at a time, like a user's tool.
  const tooDeep = Array.from({ length: 22 }, () => segment)
  const made = spawnSync(
    'bash',
    [
      '-c',
      'cd "$1" && shift && for d in "$@"; do mkdir "$d" && cd "$d" || exit 1; done && echo x > lost.png',
      'bash',
      join(root, classNames[3]),
      ...tooDeep
    ],
    { encoding: 'utf8' }
  )
  if (made.status !== 0) throw new Error(`could not make the over-long path: ${made.stderr}`)
  let firstTooLong = classNames[3]
  for (const d of tooDeep) {
    firstTooLong += `/${d}`
    if (join(root, firstTooLong).length >= 4096) break
  }
  add(`${firstTooLong}/`, 'path-over-path-max', skipped('unreadable', /ENAMETOOLONG/))

  // Special files: FIFOs and devices are listed, never read.
  for (let i = 0; i < scale; i++) {
    const fifo = add(
      place('fifo', '.png'),
      'fifo',
      skipped('unreadable', /not a regular file \(FIFO\)/)
    )
    const result = spawnSync('mkfifo', [fifo])
    if (result.status !== 0)
      throw new Error(`mkfifo is needed for the FIFO entries: ${result.stderr}`)
    fifos.push(fifo)
  }
  symlinkSync(
    '/dev/zero',
    add(
      place('link-to-dev-zero', '.png'),
      'link-to-dev-zero',
      skipped('unreadable', /character device/)
    )
  )
  symlinkSync(
    '/dev/urandom',
    add(
      place('link-to-dev-urandom', '.jpg'),
      'link-to-dev-urandom',
      skipped('unreadable', /character device/)
    )
  )

  // Links: broken, looping on itself, looping in a pair, a folder looping up, one to a real image.
  symlinkSync(
    join(root, 'nowhere.png'),
    add(place('broken-link', '.png'), 'broken-link', skipped('unreadable', /broken symbolic link/))
  )
  const selfLink = add(
    place('self-link', '.png'),
    'looping-link',
    skipped('unreadable', /symbolic link loop/)
  )
  symlinkSync(selfLink, selfLink)
  const pairA = place('pair-link-a', '.png')
  const pairB = place('pair-link-b', '.png')
  symlinkSync(
    join(root, pairB),
    add(pairA, 'looping-link', skipped('unreadable', /symbolic link loop/))
  )
  symlinkSync(
    join(root, pairA),
    add(pairB, 'looping-link', skipped('unreadable', /symbolic link loop/))
  )
  const loopFolder = `${pick(classNames)}/loop-up`
  symlinkSync(
    '..',
    add(`${loopFolder}/`, 'folder-link-loop', skipped('unreadable', /symbolic link loop/)).replace(
      /\/$/,
      ''
    )
  )
  const target = add(place('link-target', '.png'), 'valid', imported, (await valid()).bytes)
  symlinkSync(target, add(place('link-to-image', '.png'), 'link-to-image', imported))

  // Permissions: as root chmod stops no read, so these import; anyone else gets 'unreadable'.
  const root_ = process.getuid?.() === 0
  chmodSync(
    add(
      place('mode-000', '.png'),
      'unreadable-permissions',
      root_ ? imported : skipped('unreadable', /EACCES/),
      (await valid()).bytes
    ),
    0
  )
  const lockedFolder = `${pick(classNames)}/locked-folder`
  mkdirSync(join(root, lockedFolder))
  if (root_)
    add(`${lockedFolder}/inside.png`, 'unreadable-permissions', imported, (await valid()).bytes)
  else {
    writeFileSync(join(root, lockedFolder, 'inside.png'), (await valid()).bytes)
    add(`${lockedFolder}/`, 'unreadable-permissions', skipped('unreadable', /EACCES/))
  }
  chmodSync(join(root, lockedFolder), 0)

  // Decompression bombs: absurd declared sizes, tiny files.
  const smallIdat = Buffer.concat([Buffer.from([0x78, 0xda]), deflateRawSync(Buffer.alloc(64))])
  const zeros = zlibOfZeros(3)
  for (let i = 0; i < scale; i++) {
    add(
      place('png-claims-100000x100000', '.png'),
      'bomb-png-dimensions',
      skipped('too-large', /decompression-bomb guard/),
      pngWith(100_000, 100_000, smallIdat, `${seed}-${serial}`)
    )
    const bmp = await encode(random, 'bmp', 'rgb', 4, 4)
    add(
      place('bmp-claims-100000x100000', '.bmp'),
      'bomb-bmp-dimensions',
      skipped('too-large', /decompression-bomb guard/),
      bmpClaiming(bmp, 100_000, 100_000)
    )
    add(
      place('bmp-claims-20000x20000', '.bmp'),
      'bomb-bmp-dimensions',
      skipped('too-large', /decompression-bomb guard/),
      bmpClaiming(bmp, 20_000, -20_000)
    )
    add(
      place('jpeg-claims-65000x65000', '.jpg'),
      'bomb-jpeg-dimensions',
      skipped('too-large', /decompression-bomb guard/),
      hugeJpeg(await encode(random, 'jpeg', 'rgb', 8, 8))
    )
    // 28 × 28 declared, 3 GiB of zeros inside: a zlib bomb for any decoder that inflates it all.
    add(
      place('png-zlib-bomb-3gib', '.png'),
      'bomb-png-zlib',
      { outcome: 'any' },
      pngWith(28, 28, zeros, `${seed}-${serial}`)
    )
    // Sparse: 600 MiB on paper, nothing on disk.
    const sparse = add(
      place('sparse-600mib', '.png'),
      'huge-sparse-file',
      skipped('too-large', /MiB/),
      pngWith(8, 8, smallIdat, `${serial}`)
    )
    truncateSync(sparse, 600 * 2 ** 20)
  }

  // Cheap duplicates: one within a class (one copy kept), one across classes (none kept).
  const twin = (await valid()).bytes
  add(`${classNames[0]}/twin-a.png`, 'duplicate', imported, twin)
  add(`${classNames[0]}/twin-b.png`, 'duplicate', imported, twin)
  const clash = (await valid()).bytes
  add(`${classNames[1]}/clash.png`, 'duplicate', imported, clash)
  add(`${classNames[2]}/clash.png`, 'duplicate', imported, clash)

  // Random entries up to `files`.
  const kinds: [number, string][] = [
    [40, 'valid'],
    [14, 'bit-flips'],
    [14, 'truncated'],
    [8, 'wrong-extension'],
    [4, 'animated'],
    [4, 'text-named-as-image'],
    [4, 'not-an-image-extension'],
    [4, 'zero-length'],
    [4, 'header-only']
  ]
  const weight = kinds.reduce((sum, [w]) => sum + w, 0)
  while (entries.length < files) {
    let draw = random() * weight
    const kind = kinds.find(([w]) => (draw -= w) < 0)![1]
    if (kind === 'valid') {
      const { bytes, format } = await valid()
      add(place('valid', extensionOf[format]), kind, imported, bytes)
    } else if (kind === 'bit-flips') {
      const { bytes, format } = await valid()
      const flips = 1 + Math.floor(random() * 8)
      for (let i = 0; i < flips; i++)
        bytes[Math.floor(random() * bytes.length)] ^= 1 << Math.floor(random() * 8)
      add(place(`bit-flips-${flips}`, extensionOf[format]), kind, { outcome: 'any' }, bytes)
    } else if (kind === 'truncated') {
      const { bytes, format } = await valid()
      const at = 1 + Math.floor(random() * (bytes.length - 1))
      add(
        place(`truncated-at-${at}`, extensionOf[format]),
        kind,
        { outcome: 'any' },
        bytes.subarray(0, at)
      )
    } else if (kind === 'wrong-extension') {
      const { bytes, format } = await valid()
      const ext = pick(formats.filter((f) => f !== format).map((f) => extensionOf[f]))
      add(place(`${format}-named`, ext), kind, imported, bytes)
    } else if (kind === 'animated') {
      const format = pick(['gif', 'webp'] as const)
      add(place('animated', extensionOf[format]), kind, imported, await animation(random, format))
    } else if (kind === 'text-named-as-image') {
      const text = `notes ${serial}: not an image at all\n`.repeat(1 + Math.floor(random() * 20))
      add(
        place('text', pick(['.png', '.jpg', '.gif'])),
        kind,
        skipped('not-image', /content is not/),
        Buffer.from(text)
      )
    } else if (kind === 'not-an-image-extension') {
      const { bytes } = await valid()
      add(
        place('image-named', pick(['.txt', '.csv', '.json', ''])),
        kind,
        skipped('not-image', /not an image file extension/),
        bytes
      )
    } else if (kind === 'zero-length') {
      add(
        place('empty', pick(['.png', '.jpg', '.bmp', '.webp'])),
        kind,
        skipped('empty', /zero-byte/),
        Buffer.alloc(0)
      )
    } else {
      // The magic bytes and nothing after them.
      const { bytes, format } = await valid()
      add(
        place('header-only', extensionOf[format]),
        kind,
        { outcome: 'any' },
        bytes.subarray(0, 12)
      )
    }
  }
  return { root, seed, entries, fifos }
}

/** Unblocks a reader stuck on a FIFO: opening and closing the write end gives it an EOF. */
export function releaseFifo(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK))
  } catch {
    // ENXIO: nobody is reading it; ENOENT: already gone.
  }
}

export function releaseFifos(corpus: Corpus): void {
  for (const fifo of corpus.fifos) releaseFifo(fifo)
}

/** Removes the corpus; `rm -rf` walks paths longer than PATH_MAX, which Node's rmSync cannot. */
export function removeCorpus(root: string): void {
  spawnSync('chmod', ['-R', 'u+rwX', root])
  spawnSync('rm', ['-rf', root])
}
