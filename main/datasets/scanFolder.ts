/**
 * Walks a dropped folder and sorts what it finds: image candidates with their class and split,
 * files that are not images (reported), and folders that could not be read or loop back on
 * themselves (reported). Hidden and system files are passed over silently.
 */
import type { Dirent } from 'node:fs'
import { opendir, readdir, realpath, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type { SkippedFile, SplitName } from '../../preload/contract'
import { hasImageExtension, isIgnoredName } from './imageFiles'

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
  for (const entry of entries) {
    const path = join(dir, entry.name)
    // Only symbolic links need a stat (to follow them); plain entries carry their type.
    let isDir = entry.isDirectory()
    let isFile = entry.isFile()
    if (entry.isSymbolicLink()) {
      try {
        const info = await stat(path)
        isDir = info.isDirectory()
        isFile = info.isFile()
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
    if (isDir) {
      const real = await realpath(path)
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
    } else if (isFile) files.push(path)
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
