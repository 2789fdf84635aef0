import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import manifest from '../../package.json'

/** The app's version, from package.json (bundled at build time). */
export const appVersion: string = manifest.version

let cached: string | undefined

/**
 * The version recorded with every run: the app version, plus the git commit when the app runs from
 * a checkout (both out/main and main/platform sit two levels below the repository root).
 */
export function codeVersion(): string {
  if (cached !== undefined) return cached
  let commit = ''
  try {
    const git = join(__dirname, '../../.git')
    const head = readFileSync(join(git, 'HEAD'), 'utf8').trim()
    commit = head.startsWith('ref: ') ? readFileSync(join(git, head.slice(5)), 'utf8').trim() : head
  } catch {
    // Not a checkout (an installed app) or a packed ref: the version alone.
  }
  cached = /^[0-9a-f]{40}$/.test(commit) ? `${appVersion}+${commit.slice(0, 12)}` : appVersion
  return cached
}
