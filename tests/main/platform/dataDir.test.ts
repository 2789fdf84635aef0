import { mkdirSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultDataDir, ensureDataDir, resolveDataDir } from '../../../main/platform/dataDir'
import { tempDir } from '../../helpers/tempDir'

describe('data directory', () => {
  it("uses each platform's app-data folder, as Electron's userData does", () => {
    expect(defaultDataDir('linux', {})).toBe(join(homedir(), '.config', 'DGM Workbench'))
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/x' })).toBe('/x/DGM Workbench')
    expect(defaultDataDir('darwin', {})).toBe(
      join(homedir(), 'Library', 'Application Support', 'DGM Workbench')
    )
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' })).toBe(
      join('C:\\Users\\a\\AppData\\Roaming', 'DGM Workbench')
    )
  })

  it('prefers --data-dir, then DGMW_HOME', () => {
    expect(resolveDataDir('rel/dir', { DGMW_HOME: '/home-env' })).toBe(resolve('rel/dir'))
    expect(resolveDataDir(undefined, { DGMW_HOME: '/home-env' })).toBe('/home-env')
    expect(resolveDataDir(undefined, {})).toBe(defaultDataDir(process.platform, {}))
  })

  it('makes a new data directory readable by its owner only, and leaves an existing one as it is', () => {
    const dir = tempDir()
    try {
      const made = ensureDataDir(join(dir.path, 'parent', 'home'))
      expect(statSync(made).mode & 0o777).toBe(0o700)
      const shared = join(dir.path, 'shared')
      mkdirSync(shared, { mode: 0o755 })
      ensureDataDir(shared)
      expect(statSync(shared).mode & 0o777).toBe(0o755)
    } finally {
      dir.cleanup()
    }
  })
})
