import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { downloadElectronBinary, electronAvailability } from '../../platform/electronBinary'
import { electronSqliteBinding } from '../../platform/electronSqlite'
import { note } from '../output'
import type { CommandContext } from '../context'
import { serveCommand } from './serve'

export const startHelp = `dgmw start
  Open the desktop app. Where Electron cannot run (binary not downloadable, no display), say why in
  one line and serve browser mode instead.`

const appRoot = join(__dirname, '../..')

/** Why the desktop app cannot start here, or undefined when it can. */
function desktopBlocker(): { reason?: string; binary?: string } {
  let electron = electronAvailability()
  if (electron.binaryMissing) {
    note(`Fetching the Electron ${electron.version} binary (first start only)...`)
    const failure = downloadElectronBinary()
    if (failure)
      return {
        reason: `the Electron ${electron.version} binary could not be downloaded (${failure})`
      }
    electron = electronAvailability()
  }
  if (!electron.usable) return { reason: electron.reason }
  const binding = electronSqliteBinding(appRoot)
  if (!existsSync(binding)) {
    note('Building better-sqlite3 for Electron (first start only)...')
    spawnSync(process.execPath, [join(appRoot, 'scripts/rebuildElectronSqlite.mjs')], {
      stdio: 'inherit'
    })
    if (!existsSync(binding))
      return {
        reason: 'better-sqlite3 could not be built for Electron (see `npm run rebuild:electron`)'
      }
  }
  return { binary: electron.binary }
}

export async function startCommand(ctx: CommandContext): Promise<number> {
  const { reason, binary } = desktopBlocker()
  if (reason || !binary) {
    note(`Desktop app unavailable: ${reason}; starting browser mode instead.`)
    return serveCommand(ctx)
  }
  const args = [
    appRoot,
    ...(ctx.values['data-dir'] ? [`--data-dir=${ctx.values['data-dir']}`] : [])
  ]
  const child = spawn(binary, args, {
    stdio: 'inherit',
    env: { ...process.env, DGMW_BACKEND: ctx.backend ?? process.env.DGMW_BACKEND ?? '' }
  })
  const startedAt = Date.now()
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)))
  // A crash within seconds means Electron itself could not start (missing system libraries, say).
  if (code !== 0 && Date.now() - startedAt < 5000) {
    note(`Desktop app exited at start (code ${code}); starting browser mode instead.`)
    return serveCommand(ctx)
  }
  return code
}
