import { accessSync, constants, existsSync, mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { UserError } from './userError'

export const appName = 'DGM Workbench'

/**
 * The platform's per-user app-data folder for the app. Matches Electron's `app.getPath('userData')`
 * for our product name, so the desktop app, the CLI and browser mode share one run history.
 */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env
): string {
  if (platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), appName)
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', appName)
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), appName)
}

/** `--data-dir` beats `DGMW_HOME`, which beats the platform default. */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag)
  if (env.DGMW_HOME) return resolve(env.DGMW_HOME)
  return defaultDataDir(process.platform, env)
}

/**
 * mkdir -p without `{ recursive: true }`, which loops forever in Node 20 when a parent refuses
 * the new folder with ENOENT (e.g. under /proc); here the error surfaces instead.
 */
function makeDirs(dir: string, mode?: number): void {
  if (existsSync(dir)) return
  const parent = dirname(dir)
  if (parent !== dir) makeDirs(parent)
  mkdirSync(dir, { mode })
}

/** Creates the data directory if needed and checks it can be written. */
export function ensureDataDir(dir: string): string {
  try {
    // Owner-only, like ~/.ssh: on a shared login node the history, imported images and models
    // are the researcher's alone. Parent folders made on the way get the usual mode; an existing
    // data directory keeps the mode its owner chose.
    makeDirs(dir, 0o700)
    accessSync(dir, constants.W_OK)
  } catch (error) {
    throw new UserError(
      `Cannot use data directory ${dir}: ${(error as Error).message}. ` +
        'Choose a writable folder with --data-dir or the DGMW_HOME environment variable.'
    )
  }
  return dir
}

export const databaseFileName = 'workbench.sqlite'
