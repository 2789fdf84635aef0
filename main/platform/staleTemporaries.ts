/**
 * Temporary files and folders a killed process left behind. Every temporary name the workbench
 * makes carries the pid of the process writing it (`checkpoint.ckpt.tmp-<pid>-<hex>`,
 * `<key>.partial-<pid>`, `.<export>.partial-<pid>-<hex>`), so the next process can tell a
 * leftover (its writer is gone) from another live process's write in progress (left alone).
 */
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

/** Whether a process still exists (signal 0 only checks). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const temporaryName = /\.(?:tmp|partial)-(\d+)(?:-[0-9a-f]+)?$/

/** The pid that wrote a temporary name, or null when the name is not one of ours. */
export function temporaryOwner(name: string): number | null {
  const match = temporaryName.exec(name)
  return match ? Number(match[1]) : null
}

/**
 * Removes the temporary files and folders directly in `folder` whose writer is gone; returns
 * their paths. A missing folder has none.
 */
export function removeStaleTemporaries(
  folder: string,
  alive: (pid: number) => boolean = processAlive
): string[] {
  let names: string[]
  try {
    names = readdirSync(folder)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const name of names) {
    const owner = temporaryOwner(name)
    if (owner === null || owner === process.pid || alive(owner)) continue
    rmSync(join(folder, name), { recursive: true, force: true })
    removed.push(join(folder, name))
  }
  return removed
}
