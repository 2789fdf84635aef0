import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const nodeRequire = createRequire(__filename)

export interface ElectronAvailability {
  version?: string
  binary?: string
  usable: boolean
  reason?: string
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
  const binary = existsSync(pathFile) ? join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : undefined
  if (!binary || !existsSync(binary)) {
    return {
      version,
      usable: false,
      reason: `the Electron ${version} binary is not downloaded yet and could not be fetched (run \`npx install-electron\` with network access)`
    }
  }
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { version, binary, usable: false, reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' }
  }
  return { version, binary, usable: true }
}
