#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into native/electron/, leaving node_modules' copy (built
// for Node: CLI, tests, browser mode) untouched. The Electron host passes this file to
// better-sqlite3's `nativeBinding` option. Needs network access once (prebuilt binary or headers).
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))
const electronVersion = JSON.parse(
  readFileSync(require.resolve('electron/package.json'), 'utf8')
).version
const sqliteDir = dirname(require.resolve('better-sqlite3/package.json'))
const target = join(root, 'native', 'electron', 'better_sqlite3.node')

const work = mkdtempSync(join(tmpdir(), 'dgmw-sqlite-electron-'))
cpSync(sqliteDir, work, { recursive: true, filter: (src) => !src.includes(`${sqliteDir}/build`) })
// A user-level `nodedir` (set for Node builds) would point node-gyp at Node's headers instead.
const env = {
  ...process.env,
  npm_config_nodedir: '',
  npm_config_runtime: 'electron',
  npm_config_target: electronVersion,
  npm_config_disturl: 'https://electronjs.org/headers'
}
const attempts = [
  [
    'prebuilt binary',
    process.execPath,
    [
      require.resolve('prebuild-install/bin.js'),
      '--runtime',
      'electron',
      '--target',
      electronVersion,
      '--arch',
      process.arch
    ]
  ],
  [
    'source build',
    process.execPath,
    [
      join(
        dirname(process.execPath),
        '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'
      ),
      'rebuild',
      '--release',
      `--target=${electronVersion}`,
      '--dist-url=https://electronjs.org/headers',
      `--arch=${process.arch}`
    ]
  ]
]
let built = false
for (const [label, command, args] of attempts) {
  try {
    console.error(`better-sqlite3 for Electron ${electronVersion}: trying ${label}...`)
    execFileSync(command, args, { cwd: work, env, stdio: 'inherit' })
    const output = join(work, 'build', 'Release', 'better_sqlite3.node')
    if (existsSync(output)) {
      mkdirSync(dirname(target), { recursive: true })
      cpSync(output, target)
      built = true
      break
    }
  } catch (error) {
    console.error(`  ${label} failed: ${error.message.split('\n')[0]}`)
  }
}
rmSync(work, { recursive: true, force: true })
if (!built) {
  console.error(
    'Could not build better-sqlite3 for Electron: both need network access (GitHub release or electronjs.org headers). The CLI and browser mode (`npm run serve`) work without it.'
  )
  process.exit(1)
}
console.error(`Wrote ${target}`)
