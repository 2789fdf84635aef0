/**
 * The run store: one SQLite file holding datasets, experiments, runs, metrics and artifacts.
 * All SQL of the app lives in this folder; everything else calls these typed functions.
 */
import Database from 'better-sqlite3'
import type {
  DatasetSummary,
  ExperimentSummary,
  MetricPoint,
  RunDetail,
  RunHeadline,
  RunStatus,
  RunSummary
} from '../../preload/contract'
import { liveRunStatuses } from '../../preload/contract'
import { UserError } from '../platform/userError'
import { datasetImageQueries, type ImageRow } from './datasetImages'
import { migrations } from './migrations'
import { runResultQueries } from './runResults'
import { generativeResultQueries } from './generativeResults'
import { changeQueries } from './changeQueries'

export interface OpenOptions {
  /**
   * Path to a better-sqlite3 addon built for the current runtime. The Electron host passes the
   * Electron-ABI build here; Node (CLI, tests, browser mode) uses the package's own build.
   */
  nativeBinding?: string
  readonly?: boolean
}

export interface NewDataset {
  name: string
  kind: string
  sourcePath?: string | null
  imageCount?: number
  classNames?: string[]
  width?: number | null
  height?: number | null
  channels?: 1 | 3 | null
  meta?: Record<string, unknown>
}

export interface NewRun {
  experimentId?: number | null
  datasetId?: number | null
  name?: string | null
  recipe: string
  config: Record<string, unknown>
  seed: number
  backend?: string | null
  status?: RunStatus
  tags?: string[]
  codeVersion?: string | null
  /** The process that queued it and owns it while it is live (default: this one). */
  pid?: number | null
}

export interface RunEdit {
  name?: string | null
  tags?: string[]
  notes?: string | null
}

export interface MetricRow {
  name: string
  step: number
  epoch?: number | null
  value: number
}

export interface NewArtifact {
  kind: string
  path: string
  sha256: string
  bytes: number
}

/** Statuses a run may be left in when the process that owned it died. */

/** Whether a process still exists (signal 0 only checks). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const now = (): string => new Date().toISOString()

interface RunRow {
  id: number
  name: string | null
  experiment_id: number | null
  dataset_id: number | null
  dataset_name: string | null
  dataset_deleted: 0 | 1
  recipe: string
  seed: number
  backend: string | null
  status: RunStatus
  created_at: string
  started_at: string | null
  ended_at: string | null
  error: string | null
  tags: string
  config: string
  notes: string | null
  headline: string
  code_version: string | null
  pid: number | null
  class_names: string | null
}

function toRunSummary(row: RunRow): RunSummary {
  return {
    id: row.id,
    name: row.name,
    experimentId: row.experiment_id,
    datasetId: row.dataset_id,
    datasetName: row.dataset_name,
    ...(row.dataset_deleted ? { datasetDeleted: true } : {}),
    recipe: row.recipe,
    seed: row.seed,
    backend: row.backend,
    status: row.status,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    error: row.error,
    tags: JSON.parse(row.tags) as string[],
    notes: row.notes,
    headline: JSON.parse(row.headline) as RunHeadline
  }
}

function toDatasetSummary(row: Record<string, unknown>): DatasetSummary {
  return {
    id: row.id as number,
    name: row.name as string,
    kind: row.kind as string,
    sourcePath: row.source_path as string | null,
    imageCount: row.image_count as number,
    classNames: JSON.parse(row.class_names as string) as string[],
    width: row.width as number | null,
    height: row.height as number | null,
    channels: row.channels as number | null,
    createdAt: row.created_at as string
  }
}

/** A run or experiment whose dataset was deleted says so: "clothes (deleted)". */
const datasetNameOf = (table: 'r' | 'e'): string =>
  `coalesce(d.name, ${table}.deleted_dataset_name || ' (deleted)') AS dataset_name,
  (d.id IS NULL AND ${table}.deleted_dataset_name IS NOT NULL) AS dataset_deleted`

const runColumns = `r.id, r.name, r.experiment_id, r.dataset_id, ${datasetNameOf('r')}, r.recipe,
  r.seed, r.backend, r.status, r.created_at, r.started_at, r.ended_at, r.error, r.tags, r.config,
  r.notes, r.headline, r.code_version, r.pid, d.class_names`

/** A completed run as the time estimates read it (main/runs/runEstimate.ts). */
export interface CompletedRun {
  id: number
  recipe: string
  config: Record<string, unknown>
  headline: RunHeadline
  backend: string | null
  startedAt: string | null
  endedAt: string | null
  /** The dataset's image shape, "28×28×1". */
  shape: string
}

export type RunStore = ReturnType<typeof openRunStore>

/**
 * Opens (creating if needed) the store at `file` and brings its schema up to date. WAL mode lets
 * the UI read while a run writes; foreign keys keep metrics and artifacts tied to their run.
 */
export function openRunStore(file: string, options: OpenOptions = {}) {
  let db: Database.Database
  try {
    db = new Database(file, {
      nativeBinding: options.nativeBinding,
      readonly: options.readonly ?? false
    })
  } catch (error) {
    throw new UserError(
      `Cannot open the run database ${file}: ${(error as Error).message}. ` +
        'Check that the data directory is readable and writable, or choose another with --data-dir.'
    )
  }
  if (!options.readonly) db.pragma('journal_mode = WAL')
  // In WAL mode NORMAL cannot corrupt the database; a power cut may lose only the last commit.
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  migrate(db, file)

  const statements = {
    insertDataset: db.prepare(`INSERT INTO datasets
      (name, kind, source_path, image_count, class_names, width, height, channels, meta, created_at)
      VALUES (@name, @kind, @sourcePath, @imageCount, @classNames, @width, @height, @channels,
      @meta, @createdAt)`),
    listDatasets: db.prepare(`SELECT * FROM datasets ORDER BY created_at DESC, id DESC`),
    getDataset: db.prepare(`SELECT * FROM datasets WHERE id = ?`),
    datasetByName: db.prepare(`SELECT * FROM datasets WHERE name = ?`),
    deleteDataset: db.prepare(`DELETE FROM datasets WHERE id = ?`),
    datasetBySource: db.prepare(`SELECT * FROM datasets WHERE source_path = ?
      ORDER BY created_at DESC, id DESC LIMIT 1`),
    renameDataset: db.prepare(`UPDATE datasets SET name = ? WHERE id = ?`),
    keepDatasetNameOnRuns: db.prepare(
      `UPDATE runs SET deleted_dataset_name = ? WHERE dataset_id = ?`
    ),
    keepDatasetNameOnExperiments: db.prepare(`UPDATE experiments SET deleted_dataset_name = ?
      WHERE dataset_id = ?`),
    recordDeletedDataset: db.prepare(`INSERT OR REPLACE INTO deleted_datasets (id, name, deleted_at)
      VALUES (?, ?, ?)`),
    deletedDataset: db.prepare(`SELECT name, deleted_at FROM deleted_datasets WHERE id = ?`),
    liveRunsOfDataset: db.prepare(`SELECT id, status FROM runs WHERE dataset_id = ?
      AND status IN (${liveRunStatuses.map((s) => `'${s}'`).join(', ')}) ORDER BY id`),
    insertExperiment: db.prepare(`INSERT INTO experiments (name, dataset_id, notes, kind, plan,
      created_at) VALUES (?, ?, ?, ?, ?, ?)`),
    experimentPlan: db.prepare(`SELECT plan FROM experiments WHERE id = ?`),
    experimentRuns: db.prepare(`SELECT r.id, r.recipe, r.seed, r.status, r.config, r.headline
      FROM runs r WHERE r.experiment_id = ? ORDER BY r.id`),
    completedRunsOf: db.prepare(`SELECT r.id, r.config, r.headline, r.backend, r.started_at,
      r.ended_at, d.width, d.height, d.channels FROM runs r JOIN datasets d ON d.id = r.dataset_id
      WHERE r.status = 'completed' AND r.recipe = ? ORDER BY r.id DESC LIMIT 200`),
    listExperiments: db.prepare(`SELECT e.id, e.name, e.kind, e.dataset_id, ${datasetNameOf('e')},
      e.created_at, (SELECT count(*) FROM runs r WHERE r.experiment_id = e.id) AS run_count
      FROM experiments e LEFT JOIN datasets d ON d.id = e.dataset_id
      ORDER BY e.created_at DESC, e.id DESC`),
    insertRun: db.prepare(`INSERT INTO runs (experiment_id, dataset_id, name, recipe, config, seed,
      backend, status, tags, code_version, pid, created_at) VALUES (@experimentId, @datasetId,
      @name, @recipe, @config, @seed, @backend, @status, @tags, @codeVersion, @pid, @createdAt)`),
    getExperiment: db.prepare(`SELECT e.id, e.name, e.kind, e.dataset_id, ${datasetNameOf('e')},
      e.created_at, (SELECT count(*) FROM runs r WHERE r.experiment_id = e.id) AS run_count
      FROM experiments e LEFT JOIN datasets d ON d.id = e.dataset_id WHERE e.id = ?`),
    experimentByName: db.prepare(`SELECT id FROM experiments WHERE dataset_id = ? AND name = ?
      ORDER BY id LIMIT 1`),
    getRun: db.prepare(`SELECT ${runColumns} FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id
      WHERE r.id = ?`),
    listRuns:
      db.prepare(`SELECT ${runColumns} FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id
      WHERE (@status IS NULL OR r.status = @status)
      ORDER BY r.created_at DESC, r.id DESC LIMIT @limit`),
    setStatus: db.prepare(`UPDATE runs SET status = @status, error = @error,
      backend = coalesce(@backend, backend),
      pid = CASE WHEN @status IN ('queued', 'running', 'paused') THEN @pid ELSE NULL END,
      started_at = CASE WHEN @status = 'running' AND started_at IS NULL THEN @at ELSE started_at END,
      ended_at = CASE WHEN @status IN ('completed', 'stopped', 'failed', 'interrupted') THEN @at
        ELSE NULL END
      WHERE id = @id`),
    liveRuns: db.prepare(`SELECT id, pid FROM runs
      WHERE status IN (${liveRunStatuses.map((s) => `'${s}'`).join(', ')})`),
    markInterrupted: db.prepare(`UPDATE runs SET status = 'interrupted', ended_at = ?, pid = NULL,
      headline = json_remove(headline, '$.progress'),
      error = 'The process running it stopped (closed, killed or crashed); resume it from its last checkpoint.'
      WHERE id = ?`),
    patchHeadline: db.prepare(`UPDATE runs SET headline = json_patch(headline, ?) WHERE id = ?`),
    editRun: db.prepare(`UPDATE runs SET
      name = CASE WHEN @setName THEN @name ELSE name END,
      tags = coalesce(@tags, tags),
      notes = CASE WHEN @setNotes THEN @notes ELSE notes END
      WHERE id = @id`),
    deleteRun: db.prepare(`DELETE FROM runs WHERE id = ?`),
    upsertMetric: db.prepare(`INSERT INTO metrics (run_id, name, step, epoch, value)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, name, step) DO UPDATE SET
      epoch = excluded.epoch, value = excluded.value`),
    metricsOfRun: db.prepare(`SELECT name, step, epoch, value FROM metrics WHERE run_id = ?
      ORDER BY name, step`),
    deleteMetricsAfter: db.prepare(`DELETE FROM metrics WHERE run_id = ? AND step > ?`),
    deleteArtifact: db.prepare(`DELETE FROM artifacts WHERE run_id = ? AND kind = ? AND path = ?`),
    insertArtifact:
      db.prepare(`INSERT INTO artifacts (run_id, kind, path, sha256, bytes, created_at)
      VALUES (?, ?, ?, ?, ?, ?)`),
    artifactsOfRun: db.prepare(`SELECT kind, path, sha256, bytes FROM artifacts WHERE run_id = ?
      ORDER BY id`),
    getSetting: db.prepare(`SELECT value FROM settings WHERE key = ?`),
    setSetting: db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
    deleteSetting: db.prepare(`DELETE FROM settings WHERE key = ?`)
  }

  const images_ = datasetImageQueries(db)
  const results = runResultQueries(db)
  const generative = generativeResultQueries(db)
  const changes = changeQueries(db)

  const requireRun = (id: number): RunRow => {
    const row = statements.getRun.get(id) as RunRow | undefined
    if (!row)
      throw new UserError(`Run ${id} does not exist. List runs with \`dgmw runs\`.`, 'not-found')
    return row
  }

  const addMetrics = db.transaction((runId: number, rows: MetricRow[]) => {
    for (const row of rows) {
      if (!Number.isFinite(row.value)) {
        throw new UserError(
          `Metric "${row.name}" at step ${row.step} is ${row.value}; only finite values are stored.`
        )
      }
      statements.upsertMetric.run(runId, row.name, row.step, row.epoch ?? null, row.value)
    }
  })

  return {
    file,

    createDataset(input: NewDataset): DatasetSummary {
      const createdAt = now()
      try {
        const { lastInsertRowid } = statements.insertDataset.run({
          name: input.name,
          kind: input.kind,
          sourcePath: input.sourcePath ?? null,
          imageCount: input.imageCount ?? 0,
          classNames: JSON.stringify(input.classNames ?? []),
          width: input.width ?? null,
          height: input.height ?? null,
          channels: input.channels ?? null,
          meta: JSON.stringify(input.meta ?? {}),
          createdAt
        })
        return toDatasetSummary(
          statements.getDataset.get(lastInsertRowid) as Record<string, unknown>
        )
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new UserError(
            `A dataset named "${input.name}" already exists; pick another name.`,
            'conflict'
          )
        }
        throw error
      }
    },

    /** Creates a dataset and its image rows in one transaction: all of it is stored or none. */
    createDatasetWithImages(input: NewDataset, images: ImageRow[]): DatasetSummary {
      return db.transaction(() => {
        const dataset = this.createDataset(input)
        images_.insertImages(dataset.id, images)
        return dataset
      })()
    },

    getDataset(id: number): DatasetSummary & { meta: Record<string, unknown> } {
      const row = statements.getDataset.get(id) as Record<string, unknown> | undefined
      if (!row) {
        const gone = statements.deletedDataset.get(id) as
          { name: string; deleted_at: string } | undefined
        throw new UserError(
          gone
            ? `Dataset ${id} "${gone.name}" was deleted on ${gone.deleted_at.slice(0, 10)}; import its images again to train on them.`
            : `Dataset ${id} does not exist. List datasets with \`dgmw datasets\`.`,
          'not-found'
        )
      }
      return {
        ...toDatasetSummary(row),
        meta: JSON.parse(row.meta as string) as Record<string, unknown>
      }
    },

    findDatasetByName(name: string): DatasetSummary | undefined {
      const row = statements.datasetByName.get(name) as Record<string, unknown> | undefined
      return row ? toDatasetSummary(row) : undefined
    },

    /** The newest dataset imported from `sourcePath` (an absolute, resolved path), if any. */
    findDatasetBySource(sourcePath: string): DatasetSummary | undefined {
      const row = statements.datasetBySource.get(sourcePath) as Record<string, unknown> | undefined
      return row ? toDatasetSummary(row) : undefined
    },

    renameDataset(id: number, name: string): DatasetSummary {
      const dataset = this.getDataset(id)
      const wanted = name.trim()
      if (!wanted) throw new UserError('A dataset needs a name; type one.', 'invalid-args')
      const other = this.findDatasetByName(wanted)
      if (other && other.id !== id)
        throw new UserError(
          `Dataset ${other.id} is already called "${wanted}"; pick another name.`,
          'conflict'
        )
      if (wanted !== dataset.name) statements.renameDataset.run(wanted, id)
      return toDatasetSummary(statements.getDataset.get(id) as Record<string, unknown>)
    },

    /**
     * Deletes a dataset and its image rows in one transaction. Its runs and experiments keep their
     * results and its name (shown as "name (deleted)"); a run still training on it refuses the
     * deletion. The caller removes the cache files afterwards.
     */
    deleteDataset(id: number): void {
      db.transaction(() => {
        const dataset = this.getDataset(id)
        const live = statements.liveRunsOfDataset.all(id) as { id: number; status: string }[]
        if (live.length > 0)
          throw new UserError(
            `Dataset "${dataset.name}" is in use by ${live.map((r) => `run ${r.id} (${r.status})`).join(', ')}; stop ${live.length === 1 ? 'it' : 'them'} before deleting the dataset.`,
            'conflict'
          )
        statements.keepDatasetNameOnRuns.run(dataset.name, id)
        statements.keepDatasetNameOnExperiments.run(dataset.name, id)
        statements.recordDeletedDataset.run(id, dataset.name, now())
        statements.deleteDataset.run(id)
      })()
    },

    listImages: images_.listImages,
    imageCounts: images_.imageCounts,
    labelsAndSplits: images_.labelsAndSplits,

    listDatasets(): DatasetSummary[] {
      return (statements.listDatasets.all() as Record<string, unknown>[]).map(toDatasetSummary)
    },

    createExperiment(
      name: string,
      datasetId: number | null = null,
      notes: string | null = null,
      planned?: { kind: ExperimentSummary['kind']; plan: unknown }
    ): number {
      return Number(
        statements.insertExperiment.run(
          name,
          datasetId,
          notes,
          planned?.kind ?? 'runs',
          planned ? JSON.stringify(planned.plan) : null,
          now()
        ).lastInsertRowid
      )
    },

    /**
     * The newest completed runs of a recipe with what their speed depends on (config, backend,
     * image shape) and how long they took: the history the time estimates are measured from.
     */
    completedRunsOf(recipe: string): CompletedRun[] {
      return (statements.completedRunsOf.all(recipe) as Record<string, unknown>[]).map((r) => ({
        id: r.id as number,
        recipe,
        config: JSON.parse(r.config as string) as Record<string, unknown>,
        headline: JSON.parse((r.headline as string | null) ?? '{}') as RunHeadline,
        backend: r.backend as string | null,
        startedAt: r.started_at as string | null,
        endedAt: r.ended_at as string | null,
        shape: `${r.width as number}×${r.height as number}×${r.channels as number}`
      }))
    },

    /** An experiment's runs with their configs (lighter than a RunDetail each), oldest first. */
    experimentRuns(experimentId: number): {
      id: number
      recipe: string
      seed: number
      status: RunStatus
      config: Record<string, unknown>
      testAccuracy: number | null
    }[] {
      return (statements.experimentRuns.all(experimentId) as Record<string, unknown>[]).map(
        (r) => ({
          id: r.id as number,
          recipe: r.recipe as string,
          seed: r.seed as number,
          status: r.status as RunStatus,
          config: JSON.parse(r.config as string) as Record<string, unknown>,
          testAccuracy:
            (JSON.parse((r.headline as string | null) ?? '{}') as RunHeadline).testAccuracy ?? null
        })
      )
    },

    /** The plan a planned experiment (e.g. label-budget) was created with; null for plain ones. */
    experimentPlan(id: number): unknown {
      const row = statements.experimentPlan.get(id) as { plan: string | null } | undefined
      if (!row) throw new UserError(`Experiment ${id} does not exist.`, 'not-found')
      return row.plan === null ? null : JSON.parse(row.plan)
    },

    listExperiments(): ExperimentSummary[] {
      return (statements.listExperiments.all() as Record<string, unknown>[]).map(toExperiment)
    },

    getExperiment(id: number): ExperimentSummary {
      const row = statements.getExperiment.get(id) as Record<string, unknown> | undefined
      if (!row) throw new UserError(`Experiment ${id} does not exist.`, 'not-found')
      return toExperiment(row)
    },

    /** The experiment called `name` on a dataset, created when missing. */
    experimentNamed(datasetId: number, name: string): number {
      const row = statements.experimentByName.get(datasetId, name) as { id: number } | undefined
      return row?.id ?? this.createExperiment(name, datasetId)
    },

    /** Stores a run with a snapshot of its full config; returns its id. */
    createRun(input: NewRun): number {
      const { lastInsertRowid } = statements.insertRun.run({
        experimentId: input.experimentId ?? null,
        datasetId: input.datasetId ?? null,
        name: input.name ?? null,
        recipe: input.recipe,
        config: JSON.stringify(input.config),
        seed: input.seed,
        backend: input.backend ?? null,
        status: input.status ?? 'queued',
        tags: JSON.stringify(input.tags ?? []),
        codeVersion: input.codeVersion ?? null,
        pid: input.pid === undefined ? process.pid : input.pid,
        createdAt: now()
      })
      return Number(lastInsertRowid)
    },

    getRun(id: number): RunDetail {
      const row = requireRun(id)
      const metrics: Record<string, MetricPoint[]> = {}
      for (const m of statements.metricsOfRun.all(id) as {
        name: string
        step: number
        epoch: number | null
        value: number
      }[]) {
        ;(metrics[m.name] ??= []).push({ step: m.step, epoch: m.epoch, value: m.value })
      }
      const artifacts = statements.artifactsOfRun.all(id) as RunDetail['artifacts']
      return {
        ...toRunSummary(row),
        config: JSON.parse(row.config) as Record<string, unknown>,
        codeVersion: row.code_version,
        classNames: row.class_names ? (JSON.parse(row.class_names) as string[]) : [],
        hasCheckpoint: artifacts.some((a) => a.kind === 'checkpoint'),
        metrics,
        artifacts
      }
    },

    listRuns(filter: { limit?: number; status?: RunStatus } = {}): RunSummary[] {
      const rows = statements.listRuns.all({
        status: filter.status ?? null,
        limit: filter.limit ?? 500
      })
      return (rows as RunRow[]).map(toRunSummary)
    },

    /**
     * Moves a run to `status`. Live statuses record this process as its owner; `backend` records
     * the backend actually used when it starts.
     */
    setRunStatus(
      id: number,
      status: RunStatus,
      error: string | null = null,
      backend: string | null = null
    ): void {
      requireRun(id)
      statements.setStatus.run({ id, status, error, backend, pid: process.pid, at: now() })
    },

    /**
     * Runs still marked live whose owning process is gone (crashed, killed, closed) become
     * interrupted; runs of a live process (the CLI training beside the app) are left alone.
     */
    markInterruptedRuns(alive: (pid: number) => boolean = processAlive): number {
      const rows = statements.liveRuns.all() as { id: number; pid: number | null }[]
      const orphans = rows.filter((r) => r.pid === null || (r.pid !== process.pid && !alive(r.pid)))
      db.transaction(() => {
        for (const r of orphans) statements.markInterrupted.run(now(), r.id)
      })()
      return orphans.length
    },

    /** Merges numbers into the run's headline (shown in run tables without reading metrics). */
    updateHeadline(id: number, headline: RunHeadline): void {
      statements.patchHeadline.run(JSON.stringify(headline), id)
    },

    editRun(id: number, edit: RunEdit): RunSummary {
      requireRun(id)
      statements.editRun.run({
        id,
        setName: edit.name !== undefined ? 1 : 0,
        name: edit.name ?? null,
        tags: edit.tags ? JSON.stringify(edit.tags) : null,
        setNotes: edit.notes !== undefined ? 1 : 0,
        notes: edit.notes ?? null
      })
      return toRunSummary(requireRun(id))
    },

    getRunSummary(id: number): RunSummary {
      return toRunSummary(requireRun(id))
    },

    ...generative,
    ...changes,
    saveEvaluation: results.saveEvaluation,
    getEvaluation: results.getEvaluation,
    listPredictions: results.listPredictions,

    deleteRun(id: number): void {
      requireRun(id)
      statements.deleteRun.run(id)
    },

    /** Appends (or replaces, per run/name/step) metric values in one transaction. */
    addMetrics(runId: number, rows: MetricRow[]): void {
      requireRun(runId)
      addMetrics(runId, rows)
    },

    /** Drops metrics recorded after `step` (by an attempt that crashed before its next checkpoint). */
    deleteMetricsAfter(runId: number, step: number): void {
      statements.deleteMetricsAfter.run(runId, step)
    },

    /** Records a file of the run, replacing the record of the same kind and path (a rewritten checkpoint). */
    addArtifact(runId: number, artifact: NewArtifact): void {
      requireRun(runId)
      statements.deleteArtifact.run(runId, artifact.kind, artifact.path)
      statements.insertArtifact.run(
        runId,
        artifact.kind,
        artifact.path,
        artifact.sha256,
        artifact.bytes,
        now()
      )
    },

    getSetting<T>(key: string): T | undefined {
      const row = statements.getSetting.get(key) as { value: string } | undefined
      return row ? (JSON.parse(row.value) as T) : undefined
    },

    /** Stores a setting; `undefined` removes it. */
    setSetting(key: string, value: unknown): void {
      if (value === undefined) statements.deleteSetting.run(key)
      else statements.setSetting.run(key, JSON.stringify(value))
    },

    schemaVersion(): number {
      return db.pragma('user_version', { simple: true }) as number
    },

    close(): void {
      db.close()
    }
  }
}

function toExperiment(row: Record<string, unknown>): ExperimentSummary {
  return {
    id: row.id as number,
    kind: row.kind as ExperimentSummary['kind'],
    name: row.name as string,
    datasetId: row.dataset_id as number | null,
    datasetName: row.dataset_name as string | null,
    runCount: row.run_count as number,
    createdAt: row.created_at as string
  }
}

function migrate(db: Database.Database, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > migrations.length) {
    db.close()
    throw new UserError(
      `The run database ${file} has schema version ${current}, newer than this app understands ` +
        `(${migrations.length}). Update DGM Workbench, or use another data directory with --data-dir.`
    )
  }
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version])
      db.pragma(`user_version = ${version + 1}`)
    })()
  }
}
