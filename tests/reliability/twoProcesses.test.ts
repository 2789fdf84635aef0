/**
 * Two processes, one data directory (issue 18): real `dgmw` child processes on one SQLite file.
 * A `dgmw serve` with runs queued while a `dgmw train` runs beside it, two `dgmw import`s at once,
 * `dgmw runs` in a loop while both write, a fresh data directory opened by several at once, and a
 * write lock held past the busy timeout. Holds when no run is trained twice or marked interrupted
 * by the other process, nothing is lost, and no SQLite error reaches the person.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatasetSummary, ImportReport, RunSummary } from '../../preload/contract'
import { databaseFileName } from '../../main/platform/dataDir'
import { openRunStore } from '../../main/store/runStore'
import { runDgmw, startServe, valueOf, type Finished, type Served } from '../helpers/dgmwProcess'
import { tempDir } from '../helpers/tempDir'
import { writeHalves } from '../helpers/trainingFixtures'
import { holdWriteLock } from '../helpers/writeLockHolder'

/** What no person should ever read from `dgmw` or a contract reply. */
const rawSqlite = /SQLITE_|database is locked|Unexpected error|already exists/

/** `dgmw runs --json` again and again until `until` settles: every listing must succeed. */
async function listInLoop(dataDir: string, until: Promise<unknown>): Promise<Finished[]> {
  let done = false
  void until.finally(() => (done = true))
  const results: Finished[] = []
  while (!done) results.push(await runDgmw(dataDir, ['runs', '--json']))
  return results
}

function expectClean(results: Finished[], what: string): void {
  for (const r of results) {
    expect(r.stderr, what).not.toMatch(rawSqlite)
    expect(r.code, `${what}: ${r.stderr}`).toBe(0)
  }
}

/** Resolves once `check` returns true, polling every 250 ms; rejects after `timeoutMs`. */
async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 240_000) {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

describe('two processes on one data directory', () => {
  const dir = tempDir('dgmw-two-')
  const dataDir = join(dir.path, 'home')
  // Two different folders with the same name: both imports want the dataset name "images".
  const folders = [join(dir.path, 'a', 'images'), join(dir.path, 'b', 'images')]
  let datasets: DatasetSummary[] = []

  beforeAll(async () => {
    for (const folder of folders) await writeHalves(folder, 24)
  })
  afterAll(() => dir.cleanup())

  it('opens a fresh data directory from several processes at once (schema made once)', async () => {
    // Before the fix about 1 process in 8 failed with "table datasets already exists"; with the
    // new file's write lock held by another process for a moment, they all read schema version
    // 0, then took turns running the migrations ("duplicate column name: …").
    const locked = join(dir.path, 'fresh-locked')
    mkdirSync(locked)
    const holder = await holdWriteLock(join(locked, databaseFileName))
    const released = new Promise((resolve) => setTimeout(resolve, 3500)).then(holder.release)
    for (const fresh of ['fresh-locked', 'fresh-1', 'fresh-2']) {
      const results = await Promise.all(
        Array.from({ length: 8 }, () => runDgmw(join(dir.path, fresh), ['runs', '--json']))
      )
      expectClean(results, `8 processes opening ${fresh}`)
      const store = openRunStore(join(dir.path, fresh, databaseFileName))
      expect(store.schemaVersion()).toBeGreaterThan(0)
      store.close()
    }
    await released
  }, 120_000)

  it('imports two folders at once while `dgmw runs` lists: both complete, nothing lost', async () => {
    const imports = Promise.all(folders.map((f) => runDgmw(dataDir, ['import', f, '--json'])))
    const listings = await listInLoop(dataDir, imports)
    const done = await imports
    expectClean(done, 'dgmw import')
    expectClean(listings, 'dgmw runs during the imports')
    const reports = done.map((r) => JSON.parse(r.stdout) as ImportReport)
    expect(reports.map((r) => r.imported)).toEqual([48, 48])

    const store = openRunStore(join(dataDir, databaseFileName))
    datasets = store.datasets.list().sort((a, b) => a.id - b.id)
    // Same folder name, two datasets: the second is numbered, neither import is refused.
    expect(datasets.map((d) => d.name).sort()).toEqual(['images', 'images (2)'])
    for (const d of datasets) {
      expect(d.imageCount).toBe(48)
      expect(store.datasets.listImages(d.id, { limit: 1000 }).total).toBe(48)
    }
    store.close()
  }, 180_000)

  describe('`dgmw serve` with runs queued while `dgmw train` runs in another process', () => {
    let served: Served
    const queued: RunSummary[] = []
    let cliRun: { id: number; status: string }
    let listings: Finished[] = []
    let overlap = false

    beforeAll(async () => {
      served = await startServe(dataDir)
      // Four runs on the server: one trains, three wait in its in-memory queue.
      for (let seed = 0; seed < 4; seed++)
        queued.push(
          valueOf<RunSummary>(
            await served.call('runs/start', {
              datasetId: datasets[0].id,
              name: `served ${seed}`,
              config: { epochs: 4, batchSize: 8, minSteps: 0, seed }
            })
          )
        )
      // Opening the CLI's workbench looks for orphaned runs: the server's queued ones are not.
      const train = runDgmw(
        dataDir,
        [
          'train',
          '--dataset',
          String(datasets[1].id),
          '--epochs',
          '1',
          '--batch-size',
          '16',
          '--min-steps',
          '0',
          '--json'
        ],
        240_000
      )
      const served4 = waitFor(async () => {
        const runs = valueOf<RunSummary[]>(await served.call('runs/list', {}))
        return queued.every((q) => runs.find((r) => r.id === q.id)?.status === 'completed')
      }, 'the served runs to complete')
      listings = await listInLoop(dataDir, Promise.all([train, served4]))
      overlap = listings.some((l) => {
        if (l.code !== 0) return false
        const { runs } = JSON.parse(l.stdout) as { runs: RunSummary[] }
        const ours = new Set(queued.map((q) => q.id))
        return (
          runs.some((r) => !ours.has(r.id) && r.datasetId === datasets[1].id) &&
          runs.some((r) => ours.has(r.id) && r.status === 'queued')
        )
      })
      const trained = await train
      expectClean([trained], 'dgmw train beside dgmw serve')
      cliRun = (JSON.parse(trained.stdout) as { run: { id: number; status: string } }).run
      await served4
      // The watcher polls once a second: the CLI's end reaches the browser within a few.
      await waitFor(
        async () =>
          served.events.some(
            (e) =>
              e.event === 'run/status' &&
              (e.payload as { runId: number }).runId === cliRun.id &&
              (e.payload as { status: string }).status === 'completed'
          ),
        "the server relaying the CLI run's end",
        30_000
      )
    }, 420_000)

    afterAll(async () => {
      expect(await served.stop()).toBe(0)
    })

    it('trains every run once, to completion, and marks none interrupted', async () => {
      expect(cliRun.status).toBe('completed')
      const statuses = (runId: number): string[] =>
        served.events
          .filter((e) => e.event === 'run/status')
          .map((e) => e.payload as { runId: number; status: string })
          .filter((p) => p.runId === runId)
          .map((p) => p.status)
      // The first starts at once; the others waited in the server's queue.
      expect(queued.slice(1).map((r) => r.status)).toEqual(['queued', 'queued', 'queued'])
      for (const run of queued) expect(statuses(run.id)).toEqual(['queued', 'running', 'completed'])
      // The CLI opened its workbench (and looked for orphans) while server runs were queued.
      expect(overlap, 'a listing showing the CLI run beside a queued server run').toBe(true)
      // The CLI's run, seen live in the browser through the watcher: it started once.
      expect(statuses(cliRun.id).filter((s) => s === 'running').length).toBeLessThanOrEqual(1)
      expect(statuses(cliRun.id).at(-1)).toBe('completed')
      expect(
        served.events.some((e) => (e.payload as { status?: string }).status === 'interrupted')
      ).toBe(false)

      const store = openRunStore(join(dataDir, databaseFileName))
      for (const id of [...queued.map((q) => q.id), cliRun.id]) {
        const run = store.runs.detail(id)
        expect(run).toMatchObject({ status: 'completed', error: null })
        // One attempt: one loss value per step, one evaluation.
        const steps = run.metrics.loss.map((m) => m.step)
        expect(new Set(steps).size).toBe(steps.length)
        expect(run.metrics['test/accuracy']).toHaveLength(1)
      }
      store.close()
    })

    it('lists runs from a third process all along without one error', () => {
      expect(listings.length).toBeGreaterThan(0)
      expectClean(listings, 'dgmw runs while serve and train write')
      for (const l of listings) expect(JSON.parse(l.stdout)).toHaveProperty('runs')
    })

    it('turns a lock held past the busy timeout into a clear message, CLI and contract', async () => {
      // Another process holds the write lock until both requests have given up waiting.
      const holder = await holdWriteLock(join(dataDir, databaseFileName))
      const [listed, relabelled, renamed] = await Promise.all([
        runDgmw(dataDir, ['runs', '--json']),
        runDgmw(dataDir, ['datasets', 'rename', String(datasets[0].id), 'renamed while locked']),
        served.call('runs/update', { id: queued[0].id, name: 'renamed while locked' })
      ])
      await holder.release()
      // Reading never waits for a writer (WAL), and opening takes no write lock of its own.
      expect(listed.code, listed.stderr).toBe(0)
      expect(JSON.parse(listed.stdout)).toHaveProperty('runs')
      const busy = /run database is busy: another DGM Workbench process/
      expect(relabelled.code).toBe(1)
      expect(relabelled.stderr).toMatch(busy)
      expect(relabelled.stderr).not.toMatch(rawSqlite)
      expect(renamed).toMatchObject({ ok: false, error: { code: 'conflict', message: busy } })
      // Once the lock is gone, the same request goes through.
      expect(
        valueOf<RunSummary>(await served.call('runs/update', { id: queued[0].id, name: 'renamed' }))
          .name
      ).toBe('renamed')
    }, 60_000)
  })

  it('lets exactly one of two processes resume the same run', () => {
    const file = join(dataDir, databaseFileName)
    const [mine, theirs] = [openRunStore(file), openRunStore(file)]
    const id = mine.runs.create({ recipe: 'classifier', seed: 1, config: {} })
    mine.runs.setStatus(id, 'interrupted', 'killed')
    // Both looked and saw it interrupted; the conditional write picks one owner.
    expect(theirs.runs.summary(id).status).toBe('interrupted')
    expect(theirs.runs.requeue(id)).toBe(true)
    expect(mine.runs.requeue(id)).toBe(false)
    expect(mine.runs.summary(id).status).toBe('queued')
    // Nor can the other delete it while it is queued over there.
    expect(() => mine.runs.delete(id)).toThrow(/is queued; stop it/)
    mine.close()
    theirs.close()
  })

  it('leaves a database that passes integrity_check', () => {
    const db = new Database(join(dataDir, databaseFileName), { readonly: true })
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    db.close()
  })
})
