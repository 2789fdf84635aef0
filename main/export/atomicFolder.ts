/**
 * Writes a folder all at once: everything goes into a hidden temporary folder beside the target,
 * which is renamed into place only when complete. A failure at any point (a read-only disk, a full
 * disk, a check that fails) removes the temporary folder, so the target is either the complete new
 * folder or exactly what was there before. An existing target is replaced only when asked, and
 * only if it is empty or an earlier export: `--force` must never delete someone's other files.
 */
import { randomBytes } from 'node:crypto'
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync
} from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { fsyncFolder } from '../platform/atomicWrite'
import { processAlive } from '../platform/staleTemporaries'
import { UserError } from '../platform/userError'

export interface AtomicFolderOptions {
  force: boolean
  /** Whether an existing folder may be replaced (e.g. it holds an earlier export). */
  replaceable(dir: string): boolean
}

const reason = (error: unknown): string =>
  (error as NodeJS.ErrnoException).code ?? (error as Error).message

export async function writeFolderAtomically<T>(
  target: string,
  options: AtomicFolderOptions,
  fill: (dir: string) => Promise<T>
): Promise<{ path: string; replaced: boolean; result: T }> {
  const path = resolve(target)
  recoverLeftovers(path)
  const exists = existsSync(path)
  if (exists) checkReplaceable(path, options)
  const parent = dirname(path)
  const stamp = `${process.pid}-${randomBytes(4).toString('hex')}`
  const temp = join(parent, `.${basename(path)}.partial-${stamp}`)
  try {
    mkdirSync(parent, { recursive: true })
    mkdirSync(temp)
  } catch (error) {
    throw new UserError(
      `Cannot write in ${parent} (${reason(error)}); choose a folder you can write to.`
    )
  }
  let result: T
  try {
    result = await fill(temp)
  } catch (error) {
    rmSync(temp, { recursive: true, force: true })
    throw diskError(error, parent) ?? error
  }
  // Swap: the old folder steps aside, the new one takes its name, then the old one goes.
  const old = join(parent, `.${basename(path)}.old-${stamp}`)
  try {
    // On disk before the rename makes them visible: a power cut must not leave empty files.
    syncTree(temp)
    if (exists) renameSync(path, old)
    try {
      renameSync(temp, path)
    } catch (error) {
      if (exists) renameSync(old, path)
      throw error
    }
    fsyncFolder(parent)
  } catch (error) {
    rmSync(temp, { recursive: true, force: true })
    throw new UserError(
      `Cannot put the export in place at ${path} (${reason(error)}); nothing was changed there.`
    )
  }
  if (exists) rmSync(old, { recursive: true, force: true })
  return { path, replaced: exists, result }
}

/** Flushes every file and folder under `dir` to disk. */
function syncTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) syncTree(path)
    else if (entry.isFile()) {
      const fd = openSync(path, 'r')
      try {
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
    }
  }
  fsyncFolder(dir)
}

/**
 * What a killed writer of `path` left beside it: its hidden temporary folder (removed), and, if it
 * died in the middle of the swap, the earlier folder it had moved aside (put back when nothing
 * took its place, else removed). Another live process's folders are left alone.
 */
function recoverLeftovers(path: string): void {
  const parent = dirname(path)
  const prefix = `.${basename(path)}.`
  let names: string[]
  try {
    names = readdirSync(parent)
  } catch {
    return
  }
  for (const name of names) {
    const match = /^(partial|old)-(\d+)-[0-9a-f]+$/.exec(name.slice(prefix.length))
    if (!name.startsWith(prefix) || !match) continue
    const pid = Number(match[2])
    if (pid === process.pid || processAlive(pid)) continue
    const leftover = join(parent, name)
    if (match[1] === 'old' && !existsSync(path)) renameSync(leftover, path)
    else rmSync(leftover, { recursive: true, force: true })
  }
}

/**
 * A file-system failure while writing (it may come from the engine worker as a plain message) as
 * advice: what happened, that nothing was left behind, and what to do.
 */
function diskError(error: unknown, parent: string): UserError | undefined {
  const message = (error as Error).message ?? ''
  const code =
    (error as NodeJS.ErrnoException).code ?? /^(E[A-Z]+):/.exec(message)?.[1] ?? undefined
  const advice: Record<string, string> = {
    ENOSPC: 'the disk is full; free some space or choose another disk',
    EDQUOT: 'the disk quota is used up; free some space or choose another disk',
    EROFS: 'the disk is read-only; choose a folder you can write to',
    EACCES: 'permission denied; choose a folder you can write to',
    EPERM: 'permission denied; choose a folder you can write to',
    EIO: 'the disk reported an input/output error; check the disk and try again'
  }
  if (!code || !advice[code]) return undefined
  return new UserError(
    `Writing the export in ${parent} failed (${code}): ${advice[code]}. Nothing was left behind.`
  )
}

/** Only "it exists, replace it?" is a conflict (the app then asks); the rest cannot be forced. */
function checkReplaceable(path: string, options: AtomicFolderOptions): void {
  if (!statSync(path).isDirectory())
    throw new UserError(`${path} is a file; choose a folder name for the export.`)
  const empty = readdirSync(path).length === 0
  if (!options.force && !empty)
    throw new UserError(
      `${path} already exists; choose another folder, or replace it (--force, or confirm in the app).`,
      'conflict'
    )
  if (!empty && !options.replaceable(path))
    throw new UserError(
      `${path} holds files that are not a workbench export, so it is not replaced even with ` +
        '--force; choose a new or empty folder.'
    )
}
