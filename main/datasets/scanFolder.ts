/**
 * Walks a dropped folder and sorts what it finds: image candidates with their class and split,
 * files that are not images (reported), and folders that could not be read or loop back on
 * themselves, FIFOs, devices, sockets and names that are not UTF-8 (reported). Hidden and system
 * files are passed over silently.
 */
import type { Dirent, Stats } from 'node:fs'
import { opendir, readdir, realpath, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type { SkippedFile, SplitName } from '../../preload/contract'
import { hasImageExtension, isIgnoredName } from './imageFiles'
import { specialFileKind } from './readImageFile'

export interface Candidate {
  /** Absolute path. */
  path: string
  /** Path relative to the imported root, with forward slashes. */
  rel: string
  /** Class folder name, or null for unlabelled images. */
  className: string | null
  /** The split given by the folder layout, if any. */
  split: SplitName | null
}

export interface Scan {
  layout: 'image-folder' | 'split-image-folder' | 'unlabelled'
  candidates: Candidate[]
  skipped: SkippedFile[]
  /** Class folders that held no image. */
  emptyClasses: string[]
  classNames: string[]
}

const splitOfFolder: Record<string, SplitName> = {
  train: 'train',
  test: 'test',
  val: 'val',
  valid: 'val',
  validation: 'val'
}

const toRel = (root: string, path: string): string => relative(root, path).split(sep).join('/')

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The names in `dir` whose bytes are not UTF-8, as the lossy strings readdir gave for them (each
 * bad byte became U+FFFD), with their bytes spelt out. Such a file cannot be imported: a path is
 * kept as text (in SQLite, the JSON report, the UI), and the lossy text names no file on disk, so
 * the image could never be opened again by its path (and two such names can collapse into one).
 * Only folders with a U+FFFD in some name are listed a second time, as bytes, to find them.
 */
async function nonUtf8Names(dir: string, listing: Dirent[]): Promise<Map<string, string>> {
  const bad = new Map<string, string>()
  if (!listing.some((entry) => entry.name.includes('\uFFFD'))) return bad
  for (const raw of await readdir(dir, { encoding: 'buffer' })) {
    try {
      strictUtf8.decode(raw)
    } catch {
      const spelt = [...raw]
        .map((b) =>
          b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`
        )
        .join('')
      bad.set(raw.toString('utf8'), spelt)
    }
  }
  return bad
}

/** Every file under `dir` (following symlinks, refusing loops), in sorted order. */
async function walk(
  root: string,
  dir: string,
  seen: Set<string>,
  files: string[],
  skipped: SkippedFile[]
): Promise<void> {
  let listing: Dirent[]
  try {
    // One readdir call per folder: iterating an opendir handle costs a promise per entry.
    listing = await readdir(dir, { withFileTypes: true })
  } catch (error) {
    skipped.push({
      path: toRel(root, dir) + '/',
      reason: 'unreadable',
      detail: `folder cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`
    })
    return
  }
  const entries = listing.filter((entry) => !isIgnoredName(entry.name))
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const badNames = await nonUtf8Names(dir, entries)
  for (const entry of entries) {
    const path = join(dir, entry.name)
    const spelt = badNames.get(entry.name)
    if (spelt !== undefined) {
      skipped.push({
        path: toRel(root, path) + (entry.isDirectory() ? '/' : ''),
        reason: 'unreadable',
        detail: `name is not valid UTF-8 (${spelt}); rename it to import it`
      })
      continue
    }
    // Only symbolic links need a stat (to follow them); plain entries carry their type.
    let type: Dirent | Stats = entry
    if (entry.isSymbolicLink()) {
      try {
        type = await stat(path)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        const detail =
          code === 'ELOOP'
            ? 'symbolic link loop'
            : code === 'ENOENT'
              ? 'broken symbolic link'
              : `cannot be read: ${code}`
        skipped.push({ path: toRel(root, path), reason: 'unreadable', detail })
        continue
      }
    }
    if (type.isDirectory()) {
      // realpath fails where readdir would (a path past PATH_MAX, a folder removed meanwhile):
      // reported like an unreadable folder, never thrown out of the whole import.
      const real = await realpath(path).catch((error: NodeJS.ErrnoException) => error)
      if (real instanceof Error) {
        skipped.push({
          path: toRel(root, path) + '/',
          reason: 'unreadable',
          detail: `folder cannot be read: ${real.code ?? real.message}`
        })
        continue
      }
      if (seen.has(real)) {
        skipped.push({
          path: toRel(root, path) + '/',
          reason: 'unreadable',
          detail: 'symbolic link loop: this folder was already visited'
        })
        continue
      }
      seen.add(real)
      await walk(root, path, seen, files, skipped)
    } else if (type.isFile()) files.push(path)
    // Listed, not dropped: every file found is imported or reported. Reading a FIFO would wait
    // for a writer forever, and a device such as /dev/zero never ends.
    else
      skipped.push({
        path: toRel(root, path),
        reason: 'unreadable',
        detail: `not a regular file (${specialFileKind(type)})`
      })
  }
}

async function subfolders(dir: string): Promise<string[]> {
  const names: string[] = []
  for await (const entry of await opendir(dir)) {
    if (isIgnoredName(entry.name)) continue
    if (
      entry.isDirectory() ||
      (entry.isSymbolicLink() &&
        (await stat(join(dir, entry.name)).catch(() => null))?.isDirectory())
    )
      names.push(entry.name)
  }
  return names.sort()
}

/** Scans an ImageFolder (optionally with train/ and test/ or val/ inside) or an unlabelled folder. */
export async function scanFolder(
  root: string,
  options: { unlabelled?: boolean } = {}
): Promise<Scan> {
  const skipped: SkippedFile[] = []
  const seen = new Set([await realpath(root)])
  const top = await subfolders(root)
  const splitFolders = top.filter((name) => splitOfFolder[name.toLowerCase()])
  const isSplit =
    !options.unlabelled &&
    splitFolders.length >= 2 &&
    splitFolders.some((n) => splitOfFolder[n.toLowerCase()] === 'train')
  const files: string[] = []
  await walk(root, root, seen, files, skipped)

  const candidates: Candidate[] = []
  const classFiles = new Map<string, number>()
  const classFolders = new Set<string>()
  if (!options.unlabelled) {
    for (const name of isSplit ? [] : top) classFolders.add(name)
    if (isSplit)
      for (const s of splitFolders)
        for (const name of await subfolders(join(root, s))) classFolders.add(name)
  }
  for (const path of files) {
    const rel = toRel(root, path)
    const parts = rel.split('/')
    if (!hasImageExtension(path)) {
      skipped.push({
        path: rel,
        reason: 'not-image',
        detail: 'not an image file extension (PNG, JPEG, WebP, GIF, BMP, TIFF)'
      })
      continue
    }
    let split: SplitName | null = null
    let className: string | null = null
    if (isSplit) {
      split = splitOfFolder[parts[0].toLowerCase()] ?? null
      className = split && parts.length >= 3 ? parts[1] : null
      if (!split || !className) {
        skipped.push({
          path: rel,
          reason: 'not-image',
          detail: 'outside the train/ and test/ class folders'
        })
        continue
      }
    } else if (!options.unlabelled && classFolders.size > 0) {
      if (parts.length < 2) {
        skipped.push({
          path: rel,
          reason: 'not-image',
          detail: 'image at the top level of a class-folder dataset has no class'
        })
        continue
      }
      className = parts[0]
    }
    if (className) classFiles.set(className, (classFiles.get(className) ?? 0) + 1)
    candidates.push({ path, rel, className, split })
  }
  const layout =
    options.unlabelled || classFolders.size === 0
      ? 'unlabelled'
      : isSplit
        ? 'split-image-folder'
        : 'image-folder'
  const classNames = [...classFolders].filter((c) => classFiles.has(c)).sort()
  const emptyClasses = [...classFolders].filter((c) => !classFiles.has(c)).sort()
  return { layout, candidates, skipped, emptyClasses, classNames }
}
