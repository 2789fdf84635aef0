/**
 * The single engine worker owns the tensor library: the built Electron host and the `dgmw` CLI
 * load no tfjs (nor onnxruntime). Read two ways: the bundles' static require graph from each entry,
 * and the modules a real `dgmw` process actually loads on its main thread.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedHistory } from '../../helpers/seedHistory'
import { tempDir } from '../../helpers/tempDir'

const root = resolve(__dirname, '../../..')
const out = join(root, 'out/main')
const tensorPackage = /^(@tensorflow\/|onnxruntime-node)/

/** Every package the entry requires, following its own chunks (`./x.js`) transitively. */
function staticRequires(entry: string): Set<string> {
  const packages = new Set<string>()
  const seen = new Set<string>()
  const walk = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    for (const [, specifier] of readFileSync(join(out, file), 'utf8').matchAll(
      /require\("([^"]+)"\)/g
    ))
      if (specifier.startsWith('./')) walk(specifier.slice(2))
      else packages.add(specifier)
  }
  walk(entry)
  return packages
}

describe('the host bundle', () => {
  it('requires tensor libraries only from the engine worker', () => {
    // The check can fail: the engine worker's bundle does load them.
    expect([...staticRequires('engineWorker.js')].some((p) => tensorPackage.test(p))).toBe(true)
    for (const entry of ['index.js', 'cli.js']) {
      const packages = [...staticRequires(entry)]
      expect(packages.length, entry).toBeGreaterThan(3)
      expect(
        packages.filter((p) => tensorPackage.test(p)),
        entry
      ).toEqual([])
    }
  })

  describe('a running dgmw', () => {
    let dir: ReturnType<typeof tempDir>
    beforeAll(() => {
      dir = tempDir()
      seedHistory(dir.path)
    })
    afterAll(() => dir.cleanup())

    it('loads no tensor library on its main thread while it lists runs and datasets', () => {
      const record = join(dir.path, 'loaded.json')
      for (const command of ['runs', 'datasets']) {
        const result = spawnSync(
          process.execPath,
          ['--require', join(__dirname, 'recordModules.cjs'), join(root, 'bin/dgmw.cjs'), command],
          {
            encoding: 'utf8',
            env: { ...process.env, DGMW_HOME: dir.path, DGMW_RECORD_MODULES: record },
            timeout: 60_000
          }
        )
        expect(result.status, result.stderr).toBe(0)
        const loaded: string[] = JSON.parse(readFileSync(record, 'utf8'))
        expect(
          loaded.some((file) => file.includes('better-sqlite3')),
          command
        ).toBe(true)
        expect(
          loaded.filter((file) => /node_modules\/(@tensorflow|onnxruntime-node)\//.test(file)),
          command
        ).toEqual([])
      }
    })
  })
})
