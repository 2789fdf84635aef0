/**
 * Reads an image file's bytes, refusing anything that is not a plain file of a sane size before a
 * byte is read. The scan already lists FIFOs and devices, but a file can be swapped between the scan
 * and the decode: a read of a FIFO with no writer blocks its decode worker forever, and a read of
 * /dev/zero never ends. Opening with O_NONBLOCK never waits for a FIFO's writer, and the fstat is of
 * the very file that was opened, so nothing can change in between.
 */
import type { Dirent, Stats } from 'node:fs'
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import { open } from 'node:fs/promises'
import type { SkipReason } from '../../preload/contract'

/**
 * Larger files are refused unread: the largest image allowed (40 megapixels) takes 320 MB even
 * as uncompressed 16-bit RGBA, and every decode worker holds its file in memory at once.
 */
export const maxImageFileBytes = 512 * 2 ** 20

export type FileRead =
  { ok: true; bytes: Buffer } | { ok: false; reason: SkipReason; detail: string }

const openFlags = constants.O_RDONLY | constants.O_NONBLOCK

/** What a file that is not a regular file is, in words. */
export function specialFileKind(info: Dirent | Stats): string {
  if (info.isFIFO()) return 'FIFO'
  if (info.isCharacterDevice()) return 'character device'
  if (info.isBlockDevice()) return 'block device'
  if (info.isSocket()) return 'socket'
  return 'unknown file type'
}

/** Why a file with these stats must not be read, or undefined when it may be. */
function refusal(info: Stats): FileRead | undefined {
  if (info.isDirectory())
    return { ok: false, reason: 'unreadable', detail: 'is a folder, not a file' }
  if (!info.isFile())
    return {
      ok: false,
      reason: 'unreadable',
      detail: `not a regular file (${specialFileKind(info)})`
    }
  if (info.size > maxImageFileBytes)
    return {
      ok: false,
      reason: 'too-large',
      detail: `${Math.round(info.size / 2 ** 20).toLocaleString('en')} MiB file; images over ${maxImageFileBytes / 2 ** 20} MiB are not read`
    }
  return undefined
}

const cannotRead = (error: unknown): FileRead => ({
  ok: false,
  reason: 'unreadable',
  detail: `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`
})

/**
 * Reads `size` bytes from the start of `fd` (fewer if the file shrank meanwhile). The size is the
 * fstat's already made: `readFileSync(fd)` would stat the file a second time, 70,000 times an import.
 */
function readAll(fd: number, size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size)
  let at = 0
  while (at < size) {
    const read = readSync(fd, bytes, at, size - at, at)
    if (read === 0) break
    at += read
  }
  return at === size ? bytes : bytes.subarray(0, at)
}

/** For the decode workers, which read synchronously off the main thread. */
export function readImageFileSync(path: string): FileRead {
  let fd: number
  try {
    fd = openSync(path, openFlags)
  } catch (error) {
    return cannotRead(error)
  }
  try {
    const info = fstatSync(fd)
    return refusal(info) ?? { ok: true, bytes: readAll(fd, info.size) }
  } catch (error) {
    return cannotRead(error)
  } finally {
    closeSync(fd)
  }
}

/** For the main thread (probing image sizes). */
export async function readImageFile(path: string): Promise<FileRead> {
  let handle
  try {
    handle = await open(path, openFlags)
  } catch (error) {
    return cannotRead(error)
  }
  try {
    return refusal(await handle.stat()) ?? { ok: true, bytes: await handle.readFile() }
  } catch (error) {
    return cannotRead(error)
  } finally {
    await handle.close()
  }
}
