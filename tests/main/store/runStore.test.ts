import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openRunStore, type RunStore } from '../../../main/store/runStore'
import { migrations } from '../../../main/store/migrations'
import { UserError } from '../../../main/platform/userError'
import { tempDir } from '../../helpers/tempDir'

describe('run store on a real SQLite file', () => {
  let dir: ReturnType<typeof tempDir>
  let file: string
  let store: RunStore

  beforeEach(() => {
    dir = tempDir()
    file = join(dir.path, 'workbench.sqlite')
    store = openRunStore(file)
  })
  afterEach(() => {
    store.close()
    dir.cleanup()
  })

  it('creates the file in WAL mode with foreign keys and the latest schema', () => {
    expect(existsSync(file)).toBe(true)
    expect(store.schemaVersion()).toBe(migrations.length)
    const raw = new Database(file, { readonly: true })
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal')
    const tables = raw
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
      .pluck()
      .all()
    expect(tables).toEqual([
      'artifacts',
      'dataset_images',
      'datasets',
      'deleted_datasets',
      'evaluations',
      'experiments',
      'generator_scores',
      'metrics',
      'predictions',
      'runs',
      'sample_grids',
      'settings'
    ])
    raw.close()
  })

  it('stores a run with its config snapshot, seed, backend and status timestamps', () => {
    const runId = store.runs.create({
      recipe: 'classifier',
      seed: 42,
      backend: 'wasm',
      config: { lr: 0.001, layers: [32, 64] }
    })
    let run = store.runs.detail(runId)
    expect(run).toMatchObject({
      recipe: 'classifier',
      seed: 42,
      backend: 'wasm',
      status: 'queued',
      startedAt: null,
      endedAt: null
    })
    expect(run.config).toEqual({ lr: 0.001, layers: [32, 64] })

    store.runs.setStatus(runId, 'running')
    run = store.runs.detail(runId)
    expect(run.startedAt).not.toBeNull()
    expect(run.endedAt).toBeNull()

    store.runs.setStatus(runId, 'failed', 'out of memory')
    run = store.runs.detail(runId)
    expect(run.status).toBe('failed')
    expect(run.error).toBe('out of memory')
    expect(Date.parse(run.endedAt!)).toBeGreaterThanOrEqual(Date.parse(run.startedAt!))
  })

  it('keeps metric series per name in step order and replaces a repeated step', () => {
    const runId = store.runs.create({ recipe: 'vae', seed: 1, config: {} })
    store.runs.addMetrics(runId, [
      { name: 'kl', step: 2, epoch: 1, value: 0.5 },
      { name: 'kl', step: 1, epoch: 0, value: 0.9 },
      { name: 'recon', step: 1, epoch: 0, value: 120 }
    ])
    store.runs.addMetrics(runId, [{ name: 'kl', step: 2, epoch: 1, value: 0.4 }])
    expect(store.runs.detail(runId).metrics).toEqual({
      kl: [
        { step: 1, epoch: 0, value: 0.9 },
        { step: 2, epoch: 1, value: 0.4 }
      ],
      recon: [{ step: 1, epoch: 0, value: 120 }]
    })
  })

  it('rejects a non-finite metric and writes none of that batch', () => {
    const runId = store.runs.create({ recipe: 'dcgan', seed: 1, config: {} })
    expect(() =>
      store.runs.addMetrics(runId, [
        { name: 'd_loss', step: 0, value: 0.7 },
        { name: 'g_loss', step: 0, value: Number.NaN }
      ])
    ).toThrow(/g_loss.*NaN.*finite/)
    expect(store.runs.detail(runId).metrics).toEqual({})
  })

  it('deletes a run with its metrics and artifacts (foreign keys cascade)', () => {
    const runId = store.runs.create({ recipe: 'classifier', seed: 1, config: {} })
    store.runs.addMetrics(runId, [{ name: 'loss', step: 0, value: 1 }])
    store.runs.addArtifact(runId, {
      kind: 'checkpoint',
      path: 'runs/1/epoch-1',
      sha256: 'a'.repeat(64),
      bytes: 10
    })
    store.runs.setStatus(runId, 'completed')
    store.runs.delete(runId)
    const raw = new Database(file, { readonly: true })
    expect(raw.prepare('SELECT count(*) FROM metrics').pluck().get()).toBe(0)
    expect(raw.prepare('SELECT count(*) FROM artifacts').pluck().get()).toBe(0)
    raw.close()
    expect(() => store.runs.detail(runId)).toThrow(/does not exist/)
  })

  it('lists runs newest first with their dataset name, filtered by status', () => {
    const dataset = store.datasets.create({
      name: 'cifar10',
      kind: 'cifar',
      imageCount: 60000,
      classNames: ['airplane']
    })
    const a = store.runs.create({
      datasetId: dataset.id,
      recipe: 'classifier',
      seed: 1,
      config: {}
    })
    const b = store.runs.create({ datasetId: dataset.id, recipe: 'sgan', seed: 2, config: {} })
    store.runs.setStatus(b, 'running')
    expect(store.runs.list().map((r) => r.id)).toEqual([b, a])
    expect(store.runs.list({ status: 'running' }).map((r) => r.id)).toEqual([b])
    expect(store.runs.list({ limit: 1 })).toHaveLength(1)
    expect(store.runs.list()[0].datasetName).toBe('cifar10')
  })

  it('marks runs left running by a dead process as interrupted', () => {
    const live = store.runs.create({ recipe: 'classifier', seed: 1, config: {} })
    const done = store.runs.create({ recipe: 'classifier', seed: 2, config: {} })
    const ours = store.runs.create({ recipe: 'classifier', seed: 3, config: {} })
    store.runs.setStatus(live, 'running')
    store.runs.setStatus(done, 'completed')
    store.runs.setStatus(ours, 'running')
    // The run's recorded pid is of a process that has exited; this process's own runs stay live.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!
    const raw = new Database(file)
    raw.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(dead, live)
    raw.close()
    expect(store.runs.markInterrupted()).toBe(1)
    expect(store.runs.detail(live).status).toBe('interrupted')
    expect(store.runs.detail(done).status).toBe('completed')
    expect(store.runs.detail(ours).status).toBe('running')
  })

  it('refuses a duplicate dataset name with a conflict a person can act on', () => {
    store.datasets.create({ name: 'mnist', kind: 'idx' })
    try {
      store.datasets.create({ name: 'mnist', kind: 'idx' })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(UserError)
      expect((error as UserError).code).toBe('conflict')
      expect((error as Error).message).toMatch(/already exists; pick another name/)
    }
  })

  it('stores settings as JSON and removes them with undefined', () => {
    expect(store.settings.get('engine.backend')).toBeUndefined()
    store.settings.set('engine.backend', 'cpu')
    store.settings.set('engine.backend', 'wasm')
    expect(store.settings.get('engine.backend')).toBe('wasm')
    store.settings.set('engine.backend', undefined)
    expect(store.settings.get('engine.backend')).toBeUndefined()
  })

  it('upgrades a database written by an older schema, keeping its runs', () => {
    const old = join(dir.path, 'v1.sqlite')
    const raw = new Database(old)
    raw.exec(migrations[0])
    raw.pragma('user_version = 1')
    raw
      .prepare(
        `INSERT INTO runs (recipe, config, seed, status, created_at) VALUES ('vae', '{}', 5, 'completed', '2026-01-01T00:00:00Z')`
      )
      .run()
    raw.close()
    const upgraded = openRunStore(old)
    expect(upgraded.schemaVersion()).toBe(migrations.length)
    expect(upgraded.runs.list()).toMatchObject([{ recipe: 'vae', seed: 5, status: 'completed' }])
    upgraded.settings.set('x', 1)
    upgraded.close()
  })

  it('upgrades a schema-6 database; deleting its dataset then keeps the name on its runs', () => {
    const old = join(dir.path, 'v6.sqlite')
    const raw = new Database(old)
    for (const migration of migrations.slice(0, 6)) raw.exec(migration)
    raw.pragma('user_version = 6')
    raw
      .prepare(
        `INSERT INTO datasets (id, name, kind, created_at) VALUES (4, 'clothes', 'folder', '2026-01-01T00:00:00Z')`
      )
      .run()
    raw
      .prepare(
        `INSERT INTO runs (dataset_id, recipe, config, seed, status, created_at) VALUES (4, 'classifier', '{}', 1, 'completed', '2026-01-02T00:00:00Z')`
      )
      .run()
    raw.close()
    const upgraded = openRunStore(old)
    const [run] = upgraded.runs.list()
    expect(run).toMatchObject({ datasetId: 4, datasetName: 'clothes' })
    expect(run.datasetDeleted).toBeUndefined()
    upgraded.datasets.delete(4)
    expect(upgraded.runs.summary(run.id)).toMatchObject({
      datasetId: null,
      datasetName: 'clothes (deleted)',
      datasetDeleted: true
    })
    upgraded.close()
  })

  it('keeps data across reopen and refuses a database from a newer app', () => {
    const runId = store.runs.create({ recipe: 'classifier', seed: 7, config: { a: 1 } })
    store.close()
    store = openRunStore(file)
    expect(store.runs.detail(runId).seed).toBe(7)
    store.close()

    const raw = new Database(file)
    raw.pragma(`user_version = ${migrations.length + 1}`)
    raw.close()
    expect(() => openRunStore(file)).toThrow(
      /newer than this app understands.*Update DGM Workbench/
    )
    store = openRunStore(join(dir.path, 'other.sqlite'))
  })
})
