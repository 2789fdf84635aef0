import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Dawn prints "XDG_RUNTIME_DIR is invalid" when the variable is unset (services, containers, SSH
 * without a login session). Point it at a private folder before the addon loads. Must run on the
 * process's main thread: a worker's `process.env` is a copy that native code never sees.
 */
export function prepareDawnEnvironment(): void {
  const current = process.env.XDG_RUNTIME_DIR
  try {
    if (current && statSync(current).isDirectory()) return
  } catch {
    // Missing folder: replace it below.
  }
  if (process.platform === 'linux')
    process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'dgmw-xdg-'))
}
