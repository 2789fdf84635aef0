import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const nodeRequire = createRequire(__filename)

export interface ElectronAvailability {
  version?: string
  binary?: string
  usable: boolean
  reason?: string
  /** The package is installed but its binary has not been downloaded. */
  binaryMissing?: boolean
}

/**
 * Whether the Electron desktop window can open here. Reads the electron package's files instead of
 * `require('electron')`, which would start a download of the binary.
 */
export function electronAvailability(env: NodeJS.ProcessEnv = process.env): ElectronAvailability {
  let packageDir: string
  let version: string
  try {
    const manifest = nodeRequire.resolve('electron/package.json')
    packageDir = dirname(manifest)
    version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version
  } catch {
    return { usable: false, reason: 'the electron package is not installed (run npm install)' }
  }
  const pathFile = join(packageDir, 'path.txt')
  const binary = existsSync(pathFile)
    ? join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim())
    : undefined
  if (!binary || !existsSync(binary)) {
    return {
      version,
      usable: false,
      binaryMissing: true,
      reason: `the Electron ${version} binary is not downloaded (\`npm start\` fetches it; that needs network access)`
    }
  }
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return {
      version,
      binary,
      usable: false,
      reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)'
    }
  }
  return { version, binary, usable: true }
}

/** Runs the electron package's own downloader; returns why it failed, or undefined on success. */
export function downloadElectronBinary(): string | undefined {
  const result = spawnSync(process.execPath, [nodeRequire.resolve('electron/install.js')], {
    encoding: 'utf8',
    timeout: 10 * 60_000
  })
  if (result.status === 0) return undefined
  const firstLine = `${result.stderr}${result.error?.message ?? ''}`
    .split('\n')
    .find((line) => line.trim() && !line.trim().startsWith('at '))
  return firstLine?.trim() ?? `exit code ${result.status}`
}
