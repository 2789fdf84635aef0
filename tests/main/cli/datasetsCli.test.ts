/**
 * `dgmw datasets` (list, rename, delete), `dgmw import` of a folder imported before, and
 * `dgmw doctor`'s database size with its write-ahead log, run as a user runs them: the built CLI
 * on a real data directory.
 */
import { existsSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databaseFileName } from '../../../main/platform/dataDir'
import { openRunStore } from '../../../main/store/runStore'
import { dgmw } from '../../helpers/dgmwCli'
import { tempDir } from '../../helpers/tempDir'
import { writeHalves } from '../../helpers/trainingFixtures'

describe('dgmw datasets', () => {
  let dir: ReturnType<typeof tempDir>
  let home: string
  let folder: string
  const cli = (...args: string[]) => dgmw([...args, '--data-dir', home])
  const json = (...args: string[]) => {
    const result = cli(...args, '--json')
    expect(result.code, result.stderr).toBe(0)
    return JSON.parse(result.stdout)
  }

  beforeAll(async () => {
    dir = tempDir()
    home = join(dir.path, 'home')
    folder = join(dir.path, 'halves')
    await writeHalves(folder, 12)
  })
  afterAll(() => dir.cleanup())

  it('refuses to import a folder twice unless told --reimport, naming the dataset it already is', () => {
    const first = json('import', folder, '--seed', '1')
    const again = cli('import', folder)
    expect(again.code).toBe(1)
    expect(again.stderr).toBe(
      `dgmw import: ${folder} is already imported as dataset ${first.dataset.id} "halves" (24 images). ` +
        `Use it as it is (e.g. \`dgmw train --dataset ${first.dataset.id}\`), or import the folder again ` +
        `as a new dataset with \`dgmw import ${folder} --reimport\`.\n`
    )
    const second = json('import', folder, '--reimport')
    expect(second.dataset.name).toBe('halves (2)')
    expect(json('datasets').datasets.map((d: { name: string }) => d.name)).toEqual([
      'halves (2)',
      'halves'
    ])
  })

  it('renames a dataset, refusing a name another dataset has', () => {
    const [newest] = json('datasets').datasets
    const renamed = cli('datasets', 'rename', String(newest.id), 'clothes')
    expect(renamed.code, renamed.stderr).toBe(0)
    expect(renamed.stdout).toBe(`Dataset ${newest.id} "halves (2)" is now "clothes".\n`)
    expect(json('datasets', 'rename', String(newest.id), 'clothes 2').dataset.name).toBe(
      'clothes 2'
    )
    const taken = cli('datasets', 'rename', String(newest.id), 'halves')
    expect(taken.code).toBe(1)
    expect(taken.stderr).toMatch(/is already called "halves"; pick another name\./)
    const bad = cli('datasets', 'rename', 'x', 'y')
    expect(bad.stderr).toMatch(/Say which dataset by its id: `dgmw datasets rename <id> <name>`/)
  })

  it('deletes a dataset and its cache; the run history keeps its runs, saying the dataset is gone', () => {
    const [newest] = json('datasets').datasets
    const store = openRunStore(join(home, databaseFileName))
    const cacheFile = store.datasets.get(newest.id).meta.cacheFile as string
    const runId = store.runs.create({
      datasetId: newest.id,
      recipe: 'classifier',
      config: { epochs: 1 },
      seed: 1,
      status: 'completed'
    })
    store.runs.updateHeadline(runId, { testAccuracy: 0.9 })
    store.close()
    expect(existsSync(cacheFile)).toBe(true)

    const deleted = cli('datasets', 'delete', String(newest.id))
    expect(deleted.code, deleted.stderr).toBe(0)
    expect(deleted.stdout).toBe(
      `Deleted dataset ${newest.id} "clothes 2" and its cached pixels. Its run keeps its results and now shows "clothes 2 (deleted)".\n`
    )
    expect(existsSync(dirname(cacheFile))).toBe(false)
    expect(json('datasets').datasets.map((d: { name: string }) => d.name)).toEqual(['halves'])
    const [run] = json('runs').runs
    expect(run).toMatchObject({
      id: runId,
      datasetName: 'clothes 2 (deleted)',
      datasetDeleted: true,
      headline: { testAccuracy: 0.9 }
    })
    expect(cli('runs').stdout).toContain('clothes 2 (deleted)')
    const gone = cli('datasets', 'delete', String(newest.id))
    expect(gone.code).toBe(1)
    expect(gone.stderr).toMatch(/"clothes 2" was deleted on \d{4}-\d\d-\d\d/)
  })

  it('doctor counts the write-ahead log in the database size', () => {
    // A second process holding the database open with commits not yet checkpointed: the -wal
    // file holds them, as while the app or a training run is writing.
    const store = openRunStore(join(home, databaseFileName))
    try {
      for (let i = 0; i < 20; i++) store.datasets.create({ name: `empty ${i}`, kind: 'folder' })
      const files = ['', '-wal', '-shm'].map((suffix) => join(home, databaseFileName + suffix))
      const sizes = files.map((f) => statSync(f).size)
      expect(sizes[1]).toBeGreaterThan(0)
      const report = json('doctor', '--backend', 'cpu').dataDir
      expect(report.databaseFiles.map((f: { path: string }) => f.path)).toEqual(files)
      expect(report.databaseBytes).toBe(
        report.databaseFiles.reduce((sum: number, f: { bytes: number }) => sum + f.bytes, 0)
      )
      expect(report.databaseBytes).toBeGreaterThan(statSync(files[0]).size)
      const text = cli('doctor', '--backend', 'cpu').stdout
      expect(text).toMatch(
        /Run database: .* \(\d+\.\d (kB|MB) on disk: database .*, -wal .*, -shm .*\)/
      )
    } finally {
      store.close()
    }
  })
})
