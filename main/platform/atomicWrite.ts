/**
 * The one way the workbench writes a file: into a unique temporary name beside it, flushed to
 * disk, then renamed over the target, and the rename flushed too (the folder's fsync). A crash, a
 * power cut, a full disk or a failing write leaves either the complete new file or the old one,
 * never half a file, and the temporary file is removed on error. A temporary file a killed process
 * left behind carries its pid (`<file>.tmp-<pid>-<hex>`): `removeStaleTemporaries` clears it.
 */
import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'

export interface AtomicWriteOptions {
  /** File permissions of the new file (e.g. 0o600 for code only this user may change). */
  mode?: number
  /**
   * Create the file's folder when it is missing (default). Off where a missing folder means
   * something is wrong and must fail (a checkpoint into a run folder that is gone).
   */
  createFolder?: boolean
}

/** Writes `data` (one buffer or string, or the parts of one file in order) atomically. */
export function writeFileAtomic(
  file: string,
  data: string | Uint8Array | readonly Uint8Array[],
  options: AtomicWriteOptions = {}
): void {
  if (options.createFolder ?? true) mkdirSync(dirname(file), { recursive: true })
  // Unique per process, thread and call: two writers of one file never share a temporary name.
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  const parts: readonly Uint8Array[] =
    typeof data === 'string' ? [Buffer.from(data)] : ArrayBuffer.isView(data) ? [data] : data
  let fd: number | undefined
  try {
    fd = openSync(temp, 'w', options.mode ?? 0o666)
    for (const part of parts) writeSync(fd, part)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(temp, file)
    fsyncFolder(dirname(file))
  } catch (error) {
    if (fd !== undefined) closeSync(fd)
    rmSync(temp, { force: true })
    throw error
  }
}

/**
 * Flushes a folder's entries (a rename or a new file in it) to disk. Without it a power cut after
 * the rename may bring back the old name, or neither, although the file's data was flushed.
 * Platforms that cannot open a folder for fsync (Windows) skip it: their renames are journaled.
 */
export function fsyncFolder(folder: string): void {
  let fd: number
  try {
    fd = openSync(folder, 'r')
  } catch {
    return
  }
  try {
    fsyncSync(fd)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EISDIR') throw error
  } finally {
    closeSync(fd)
  }
}
