/**
 * Real file-system failures for export tests: a read-only folder and a nearly full disk. As root,
 * permissions do not stop writes, so both are tmpfs mounts (read-only, or a few kilobytes big); a
 * non-root user gets a chmod-555 folder instead, and no full disk (mounting needs root).
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

export interface LimitedFolder {
  path: string
  cleanup(): void
}

/** A tmpfs disk that can be made bigger in place (space freed without touching its files). */
export interface TinyDisk extends LimitedFolder {
  resize(bytes: number): void
}

const isRoot = (): boolean => process.getuid?.() === 0

function mountTmpfs(path: string, options: string): boolean {
  mkdirSync(path, { recursive: true })
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', path]).status === 0
}

const unmount = (path: string): void => {
  spawnSync('umount', [path])
  rmSync(path, { recursive: true, force: true })
}

/** A folder nothing can be written into, or null when this machine cannot make one. */
export function readOnlyFolder(parent: string): LimitedFolder | null {
  const path = join(parent, 'read-only')
  if (isRoot()) {
    if (!mountTmpfs(path, 'ro,size=1m')) return null
    return { path, cleanup: () => unmount(path) }
  }
  mkdirSync(path)
  chmodSync(path, 0o555)
  return {
    path,
    cleanup: () => {
      chmodSync(path, 0o755)
      rmSync(path, { recursive: true, force: true })
    }
  }
}

/** A writable folder on a disk of `bytes` bytes, or null without root. */
export function tinyDisk(parent: string, bytes: number): TinyDisk | null {
  const path = join(parent, 'tiny-disk')
  if (!isRoot() || !mountTmpfs(path, `size=${bytes}`)) return null
  return {
    path,
    cleanup: () => unmount(path),
    resize(size: number) {
      const r = spawnSync('mount', ['-o', `remount,size=${size}`, path], { encoding: 'utf8' })
      if (r.status !== 0) throw new Error(`Cannot resize ${path}: ${r.stderr}`)
    }
  }
}
