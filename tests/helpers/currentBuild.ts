/**
 * Vitest global setup: many suites run the built app (`bin/dgmw.cjs` → out/main/cli.js, browser
 * mode, the engine worker), and a stale out/ would test yesterday's code. Once per run, before any
 * test file, out/ is rebuilt when a source is newer than it; a build that fails stops the run.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = join(__dirname, '../..')
const sources = ['main', 'preload', 'renderer', 'electron.vite.config.ts', 'package.json']
/** One output of each build electron-vite runs (main, preload, renderer), and the CLI. */
const outputs = [
  'out/main/index.js',
  'out/main/cli.js',
  'out/main/engineWorker.js',
  'out/preload/index.js',
  'out/renderer/index.html'
]

/** The newest modification time under `path` (a file or a folder), in ms. */
function newest(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return readdirSync(path).reduce(
    (latest, name) => Math.max(latest, newest(join(path, name))),
    stat.mtimeMs
  )
}

/** Why out/ needs building, or undefined when it is current. */
export function staleBuild(): string | undefined {
  const missing = outputs.find((file) => !existsSync(join(root, file)))
  if (missing) return `${missing} is missing`
  const built = Math.min(...outputs.map((file) => statSync(join(root, file)).mtimeMs))
  const changed = sources.find((source) => newest(join(root, source)) > built)
  return changed ? `${changed} changed since the last build` : undefined
}

export default function buildIfStale(): void {
  const reason = staleBuild()
  if (!reason) return
  process.stderr.write(`Building out/ for the tests that run the built app (${reason})…\n`)
  const build = spawnSync(
    process.execPath,
    [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'],
    { cwd: root, stdio: 'inherit' }
  )
  if (build.status !== 0)
    throw new Error(
      `Building out/ failed (electron-vite build: ${build.error?.message ?? `exit ${build.status}`}); ` +
        'the tests run the built app, so they stop here. Run `npx electron-vite build` to see why.'
    )
}
