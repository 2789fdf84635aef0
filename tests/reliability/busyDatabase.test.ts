/**
 * Busy database while a run trains (issue 18, found by the two-processes campaign): another
 * process holds SQLite's write lock longer than the busy timeout (a large import does) while a
 * `dgmw train` records its metrics. Before the fix the better-sqlite3 call threw SQLITE_BUSY in
 * the engine's message handler and the whole training process died. Now its writes wait and are
 * retried in order: the run completes with the same history as an undisturbed run of its seed.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatasetSummary, ImportReport } from '../../preload/contract'
import { databaseFileName } from '../../main/platform/dataDir'
import { createBusyTolerantWriter } from '../../main/runs/busyTolerantWriter'
import { busyTimeoutMs, isDatabaseBusy } from '../../main/store/databaseBusy'
import { openRunStore } from '../../main/store/runStore'
import { finished, runDgmw, spawnDgmw, type Finished } from '../helpers/dgmwProcess'
import { tempDir } from '../helpers/tempDir'
import { writeHalves } from '../helpers/trainingFixtures'
import { holdWriteLock } from '../helpers/writeLockHolder'

/** What no person should ever read from `dgmw` or a run's error. */
const busyShaped = /SQLITE_|database is locked|Unexpected error/

/** How long the other process keeps the write lock: longer than the busy timeout. */
const lockHeldMs = busyTimeoutMs + 2000
const seed = 5
/** Enough epochs (about 0.3 s each here) that the lock falls in the middle of the training. */
const epochs = 40

interface Recorded {
  status: string
  error: string | null
  /** Every metric row, ordered by name and step (the table's key). */
  metrics: { name: string; step: number; epoch: number | null; value: number }[]
}

function recorded(dataDir: string, runId: number): Recorded {
  const db = new Database(join(dataDir, databaseFileName), { readonly: true })
  try {
    const run = db.prepare('SELECT status, error FROM runs WHERE id = ?').get(runId) as Recorded
    const metrics = db
      .prepare('SELECT name, step, epoch, value FROM metrics WHERE run_id = ? ORDER BY name, step')
      .all(runId) as Recorded['metrics']
    return { status: run.status, error: run.error, metrics }
  } finally {
    db.close()
  }
}

/** Metric rows the run has recorded so far (0 before it starts). */
function metricRows(dataDir: string): number {
  const db = new Database(join(dataDir, databaseFileName), { readonly: true })
  try {
    return (db.prepare('SELECT count(*) AS n FROM metrics').get() as { n: number }).n
  } finally {
    db.close()
  }
}

/** Epochs the run has recorded so far. */
function epochsRecorded(dataDir: string): number {
  const db = new Database(join(dataDir, databaseFileName), { readonly: true })
  try {
    const sql = "SELECT count(*) AS n FROM metrics WHERE name = 'train/loss'"
    return (db.prepare(sql).get() as { n: number }).n
  } finally {
    db.close()
  }
}

/** Resolves once `check` is true, polling every 100 ms; rejects after `timeoutMs`. */
async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

function trainArgs(datasetId: number): string[] {
  return [
    'train',
    '--dataset',
    String(datasetId),
    '--epochs',
    String(epochs),
    '--batch-size',
    '8',
    '--min-steps',
    '0',
    '--seed',
    String(seed),
    '--json'
  ]
}

const runIdOf = (r: Finished): number => (JSON.parse(r.stdout) as { run: { id: number } }).run.id

describe('a run trains while another process holds the database longer than the busy timeout', () => {
  const dir = tempDir('dgmw-busy-')
  const quietDir = join(dir.path, 'quiet')
  const busyDir = join(dir.path, 'busy')
  const datasetIds: Record<string, number> = {}

  beforeAll(async () => {
    const folder = join(dir.path, 'halves')
    await writeHalves(folder, 24)
    for (const dataDir of [quietDir, busyDir]) {
      const imported = await runDgmw(dataDir, ['import', folder, '--json'])
      expect(imported.code, imported.stderr).toBe(0)
      const report = JSON.parse(imported.stdout) as ImportReport & { dataset: DatasetSummary }
      datasetIds[dataDir] = report.dataset.id
    }
  }, 60_000)
  afterAll(() => dir.cleanup())

  it('survives, completes and records every metric once, as an undisturbed run does', async () => {
    const quietStart = Date.now()
    const quiet = await finished(spawnDgmw(quietDir, trainArgs(datasetIds[quietDir])))
    const quietMs = Date.now() - quietStart
    expect(quiet.code, quiet.stderr).toBe(0)
    const undisturbed = recorded(quietDir, runIdOf(quiet))
    expect(undisturbed.status).toBe('completed')

    const busyStart = Date.now()
    const training = finished(spawnDgmw(busyDir, trainArgs(datasetIds[busyDir])))
    // Taken once the run records its first steps, so its later writes meet the lock.
    await waitFor(() => metricRows(busyDir) > 0, 'the first metric rows')
    const epochsBeforeLock = epochsRecorded(busyDir)
    const held = await holdWriteLock(join(busyDir, databaseFileName))
    await new Promise((resolve) => setTimeout(resolve, lockHeldMs))
    const lock = { tookAt: held.tookAt, ...(await held.release()) }
    const trained = await training
    const endedAt = Date.now()
    const busyMs = Date.now() - busyStart

    const context = `seed ${seed}; stderr: ${trained.stderr}`
    expect(trained.code, context).toBe(0)
    expect(trained.stderr, context).not.toMatch(busyShaped)
    const disturbed = recorded(busyDir, runIdOf(trained))
    expect(disturbed.status, context).toBe('completed')
    expect(disturbed.error ?? '', context).not.toMatch(busyShaped)
    // Same steps, epochs and values: nothing lost, nothing twice, nothing out of place.
    // Epoch rows: same epochs and values as the undisturbed run (images/s and elapsed seconds are timings).
    const perStep = new Set(['loss', 'lr'])
    const epochRows = (m: Recorded['metrics']) =>
      m.filter((r) => !perStep.has(r.name) && !/images_per_second|_seconds/.test(r.name))
    expect(epochRows(disturbed.metrics), context).toEqual(epochRows(undisturbed.metrics))
    // Step rows are sent every 250 ms with the mean loss since the last one, so which steps
    // have a row, and its value, are a matter of timing: here each is a real step of the run
    // (its epoch as in the undisturbed run), finite, and the last step is always there.
    const steps = (m: Recorded['metrics']) => m.filter((r) => r.name === 'loss')
    const epochOfStep = new Map(
      epochRows(undisturbed.metrics).map((r) => [r.step, r.epoch] as const)
    )
    const busySteps = steps(disturbed.metrics)
    expect(busySteps.length, context).toBeGreaterThan(0)
    for (const row of busySteps) {
      expect(Number.isFinite(row.value), `${context}; step ${row.step}`).toBe(true)
      // An epoch's rows come before its end step (the epoch row's step).
      const epochEnd = [...epochOfStep].find(([, epoch]) => epoch === row.epoch)?.[0]
      expect(epochEnd, `${context}; step ${row.step}`).toBeGreaterThanOrEqual(row.step)
    }
    expect(Math.max(...busySteps.map((r) => r.step))).toBe(
      Math.max(...steps(undisturbed.metrics).map((r) => r.step))
    )
    const epochLosses = disturbed.metrics.filter((m) => m.name === 'train/loss')
    expect(epochLosses.map((m) => m.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i))
    // The lock fell in the middle of the training: taken before its last epoch, released
    // before it ended.
    expect(epochsBeforeLock).toBeLessThan(epochs)
    expect(lock.releasedAt).toBeLessThan(endedAt)
    console.log(
      `busy database: undisturbed ${quietMs} ms, with the lock held ${lock.releasedAt - lock.tookAt} ms from epoch ${epochsBeforeLock} ` +
        `${busyMs} ms; ${disturbed.metrics.length} metric rows (${busySteps.length} step rows)`
    )
  }, 150_000)

  it("gives up on a run's waiting writes after the deadline, and writes again once free", async () => {
    // The end of a run waits at most a minute for the lock; here a deadline of 0.5 s, with the
    // lock held until released, shows the give-up path without waiting a minute.
    const file = join(dir.path, 'writer.sqlite')
    const store = openRunStore(file)
    const writer = createBusyTolerantWriter(store)
    const ran: string[] = []
    const holder = await holdWriteLock(file)
    try {
      // Waits one busy timeout, then keeps the write instead of throwing.
      expect(() => writer.write(() => void ran.push('held'))).not.toThrow()
      writer.write(() => void ran.push('after held'))
      const gaveUp = await writer.flushed(500).then(
        () => 'flushed',
        (error: unknown) => error
      )
      expect(isDatabaseBusy(gaveUp), String(gaveUp)).toBe(true)
    } finally {
      await holder.release()
    }
    // The given-up writes are gone (never half-run); the next one goes straight through.
    writer.write(() => {
      ran.push('free')
      store.settings.set('after', 1)
    })
    await writer.flushed(60_000)
    expect(ran).toEqual(['free'])
    expect(store.settings.get('after')).toBe(1)
    store.close()
  }, 60_000)
})
