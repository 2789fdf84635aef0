/**
 * A dataset's life after import, through the contract as the UI drives it: renamed, imported
 * again (asked first), deleted with its cache files, and the runs that used it keeping their
 * results while saying the dataset is gone. Real SQLite, real images, the engine on wasm.
 */
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, type Client } from '../../../preload/client'
import { orphanAgeMs, sweepOrphanCaches } from '../../../main/datasets/cacheFolders'
import { createMemoryTransport } from '../../../main/host/memoryTransport'
import { createWorkbench } from '../../../main/host/workbench'
import type { Workbench } from '../../../main/host/workbenchServices'
import { tempDir } from '../../helpers/tempDir'
import { writeHalves } from '../../helpers/trainingFixtures'

describe('a dataset after its import', () => {
  let dir: ReturnType<typeof tempDir>
  let workbench: Workbench
  let client: Client
  let halves: string

  beforeAll(async () => {
    dir = tempDir()
    halves = join(dir.path, 'halves')
    await writeHalves(halves, 24)
    workbench = createWorkbench({ dataDir: join(dir.path, 'home'), backend: 'wasm', log: () => {} })
    client = createClient(createMemoryTransport(workbench))
  })
  afterAll(async () => {
    await workbench.close()
    dir.cleanup()
  })

  it('asks before importing the same folder twice, then re-imports or opens the existing one', async () => {
    const first = await client.request('datasets/import', { path: halves, seed: 1 })
    await expect(client.request('datasets/import', { path: halves })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(
        new RegExp(`already imported as dataset ${first.dataset.id} "halves" \\(48 images\\)`)
      )
    })
    // The same folder typed differently (trailing slash, "..") is the same folder.
    const found = await client.request('datasets/findImported', { path: `${halves}/../halves/` })
    expect(found).toMatchObject({ path: halves, dataset: { id: first.dataset.id } })
    expect(await client.request('datasets/findImported', { path: dir.path })).toMatchObject({
      dataset: null
    })

    const opened = await client.request('datasets/import', { path: halves, onExisting: 'open' })
    expect(opened).toMatchObject({
      dataset: { id: first.dataset.id, name: 'halves' },
      imported: 48,
      classes: [
        { name: 'left', count: 24 },
        { name: 'right', count: 24 }
      ]
    })
    const again = await client.request('datasets/import', { path: halves, onExisting: 'reimport' })
    expect(again.dataset).toMatchObject({ name: 'halves (2)', sourcePath: halves })
    expect((await client.request('datasets/list')).map((d) => d.name)).toEqual([
      'halves (2)',
      'halves'
    ])
    await client.request('datasets/delete', { id: again.dataset.id })
  })

  it('renames a dataset, refusing an empty name or one another dataset has', async () => {
    const [dataset] = await client.request('datasets/list')
    const renamed = await client.request('datasets/rename', { id: dataset.id, name: '  clothes ' })
    expect(renamed).toMatchObject({ id: dataset.id, name: 'clothes' })
    expect((await client.request('datasets/get', { id: dataset.id })).name).toBe('clothes')
    await expect(
      client.request('datasets/rename', { id: dataset.id, name: '   ' })
    ).rejects.toThrow('A dataset needs a name; type one.')
    const other = workbench.store.datasets.create({ name: 'shoes', kind: 'folder' })
    await expect(
      client.request('datasets/rename', { id: other.id, name: 'clothes' })
    ).rejects.toMatchObject({
      code: 'conflict',
      message: `Dataset ${dataset.id} is already called "clothes"; pick another name.`
    })
    await client.request('datasets/delete', { id: other.id })
  })

  it('refuses a label budget above what a class has, naming the class and its count', async () => {
    const [dataset] = await client.request('datasets/list')
    const detail = await client.request('datasets/get', { id: dataset.id })
    const fewest = Math.min(...detail.classCounts.map((c) => c.train))
    const smallest = detail.classNames[detail.classCounts.findIndex((c) => c.train === fewest)]
    await expect(
      client.request('runs/preview', {
        datasetId: dataset.id,
        config: { labelsPerClass: fewest + 1, epochs: 1 }
      })
    ).rejects.toThrow(
      `${fewest + 1} labels per class is more than class "${smallest}" has: it has ${fewest} labelled training images. Choose at most ${fewest} labels per class (or 0 to use every label).`
    )
    const fits = await client.request('runs/preview', {
      datasetId: dataset.id,
      config: { labelsPerClass: fewest, epochs: 1 }
    })
    expect(fits.plannedSteps).toBeGreaterThan(0)
  })

  it('deletes a dataset and its cache files; its runs keep their results and say it is gone', async () => {
    const [dataset] = await client.request('datasets/list')
    const cacheFile = workbench.store.datasets.get(dataset.id).meta.cacheFile as string
    expect(existsSync(cacheFile)).toBe(true)
    const queued = await client.request('runs/start', {
      datasetId: dataset.id,
      config: { epochs: 1, batchSize: 16, minSteps: 0, seed: 1 }
    })
    // A dataset a run is training on cannot go.
    await expect(client.request('datasets/delete', { id: dataset.id })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/is in use by run \d+ \((queued|running)\); stop it/)
    })
    const run = await workbench.runs.settled(queued.id)
    expect(run.status).toBe('completed')
    const evaluation = await client.request('runs/evaluation', { id: run.id })

    await client.request('datasets/delete', { id: dataset.id })
    expect(existsSync(dirname(cacheFile))).toBe(false)
    expect(await client.request('datasets/list')).toEqual([])
    expect(workbench.store.datasets.listImages(dataset.id, {}).total).toBe(0)

    const after = await client.request('runs/get', { id: run.id })
    expect(after).toMatchObject({
      status: 'completed',
      datasetId: null,
      datasetName: 'clothes (deleted)',
      datasetDeleted: true,
      headline: { testAccuracy: run.headline.testAccuracy }
    })
    expect(await client.request('runs/evaluation', { id: run.id })).toEqual(evaluation)
    expect((await client.request('runs/list', {})).find((r) => r.id === run.id)?.datasetName).toBe(
      'clothes (deleted)'
    )
    expect((await client.request('experiments/list'))[0].datasetName).toBe('clothes (deleted)')

    await expect(client.request('runs/resume', { id: run.id })).rejects.toThrow(
      `Run ${run.id} trained on clothes (deleted): its results stay, but it cannot train again without its images. Import them again and start a new run.`
    )
    await expect(
      client.request('runs/start', { datasetId: dataset.id, config: { epochs: 1 } })
    ).rejects.toThrow(
      new RegExp(
        `^Dataset ${dataset.id} "clothes" was deleted on \\d{4}-\\d\\d-\\d\\d; import its images again to train on them\\.$`
      )
    )
    // Deleted means gone: importing the folder again is not "already imported".
    expect((await client.request('datasets/findImported', { path: halves })).dataset).toBeNull()
  }, 240_000)

  it('sweeps a cache folder left behind by a deletion cut short, but not a fresh import', async () => {
    const { dataset } = await client.request('datasets/import', { path: halves, seed: 1 })
    const root = join(workbench.dataDir, 'datasets')
    const orphan = join(root, 'left-by-a-crash')
    const young = join(root, 'renamed-a-moment-ago')
    for (const folder of [orphan, young]) {
      mkdirSync(folder)
      writeFileSync(join(folder, 'images.u8'), Buffer.alloc(784))
    }
    const old = (Date.now() - orphanAgeMs - 60_000) / 1000
    utimesSync(orphan, old, old)
    const removed = sweepOrphanCaches(workbench.store, workbench.dataDir)
    expect(removed).toEqual([orphan])
    const key = workbench.store.datasets.get(dataset.id).meta.key as string
    expect(readdirSync(root).sort()).toEqual([key, 'renamed-a-moment-ago'].sort())
    await client.request('datasets/delete', { id: dataset.id })
  })

  it('expands ~ in a typed import path and refuses a relative one, saying where it would land', async () => {
    await expect(client.request('datasets/import', { path: 'halves' })).rejects.toThrow(
      `"halves" is relative; it would resolve to ${join(process.cwd(), 'halves')} — give the full path (or start it with ~/ for ${homedir()}).`
    )
    // The workbench's home folder (os.homedir() reads HOME here), pointed at the test folder.
    const home = process.env.HOME
    process.env.HOME = dir.path
    let found
    try {
      found = await client.request('datasets/findImported', { path: '~/halves' })
    } finally {
      process.env.HOME = home
    }
    expect(found.path).toBe(halves)
  })
})
