/**
 * The runs of the run store with what they own: their metrics and their files (artifacts). A run
 * is read either typed for the host's own use (`get`: the config parsed by its recipe's schema) or
 * as the contract shows it (`detail`: the config as stored, so an old run still opens).
 */
import type Database from 'better-sqlite3'
import {
  liveRunStatuses,
  type MetricPoint,
  type RecipeName,
  type RunDetail,
  type RunHeadline,
  type RunStatus,
  type RunSummary
} from '../../preload/contract'
import { UserError } from '../platform/userError'
import { processAlive } from '../platform/staleTemporaries'
import { parseRunRecipe, runRecipeOrNull, type RunRecipe } from './runConfig'
import { runColumns, toRunSummary, type RunRow } from './runRows'

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

/** A run as the host uses it: its detail with the recipe's typed config. */
export type RunRecord = Omit<RunDetail, 'recipe' | 'config'> & RunRecipe

/** A run of one recipe family, e.g. `RunRecordOf<'generative'>`. */
export type RunRecordOf<F extends RunRecipe['family']> = Extract<RunRecord, { family: F }>

/** A completed run as the time estimates read it (main/runs/runEstimate.ts). */
export interface CompletedRun {
  id: number
  recipe: RecipeName
  config: RunRecipe['config']
  headline: RunHeadline
  backend: string | null
  startedAt: string | null
  endedAt: string | null
  /** The dataset's image shape, "28×28×1". */
  shape: string
}

/** A run of an experiment, lighter than a record: what its chart needs. */
export type ExperimentRun = RunRecipe & {
  id: number
  seed: number
  status: RunStatus
  testAccuracy: number | null
}

const now = (): string => new Date().toISOString()
/** Statuses as an SQL list for `status IN (…)`. */
const sqlList = (statuses: readonly RunStatus[]): string => statuses.map((s) => `'${s}'`).join(', ')
const live = sqlList(liveRunStatuses)
/** The ended states a run can be resumed from (its last checkpoint, or its start). */
export const resumableStatuses: readonly RunStatus[] = ['interrupted', 'stopped', 'failed']
const resumable = sqlList(resumableStatuses)

export function runRepository(db: Database.Database) {
  const statements = {
    insert: db.prepare(`INSERT INTO runs (experiment_id, dataset_id, name, recipe, config, seed,
      backend, status, tags, code_version, pid, created_at) VALUES (@experimentId, @datasetId,
      @name, @recipe, @config, @seed, @backend, @status, @tags, @codeVersion, @pid, @createdAt)`),
    get: db.prepare(`SELECT ${runColumns} FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id
      WHERE r.id = ?`),
    list: db.prepare(`SELECT ${runColumns} FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id
      WHERE (@status IS NULL OR r.status = @status)
      ORDER BY r.created_at DESC, r.id DESC LIMIT @limit`),
    ofExperiment: db.prepare(`SELECT r.id, r.recipe, r.seed, r.status, r.config, r.headline
      FROM runs r WHERE r.experiment_id = ? ORDER BY r.id`),
    completed: db.prepare(`SELECT r.id, r.config, r.headline, r.backend, r.started_at,
      r.ended_at, d.width, d.height, d.channels FROM runs r JOIN datasets d ON d.id = r.dataset_id
      WHERE r.status = 'completed' AND r.recipe = ? ORDER BY r.id DESC LIMIT 200`),
    setStatus: db.prepare(`UPDATE runs SET status = @status, error = @error,
      backend = coalesce(@backend, backend),
      pid = CASE WHEN @status IN ('queued', 'running', 'paused') THEN @pid ELSE NULL END,
      started_at = CASE WHEN @status = 'running' AND started_at IS NULL THEN @at ELSE started_at END,
      ended_at = CASE WHEN @status IN ('completed', 'stopped', 'failed', 'interrupted') THEN @at
        ELSE NULL END
      WHERE id = @id`),
    // A cluster job is not this machine's process: its follower may be gone while it trains.
    live: db.prepare(`SELECT id, pid FROM runs WHERE status IN (${live})
      AND json_extract(headline, '$.cluster.jobId') IS NULL`),
    liveClusterRuns: db.prepare(`SELECT id, pid, headline FROM runs WHERE status IN (${live})
      AND json_extract(headline, '$.cluster.jobId') IS NOT NULL ORDER BY id`),
    claim: db.prepare(`UPDATE runs SET pid = @pid WHERE id = @id AND status IN (${live})
      AND pid IS @expected`),
    requeue: db.prepare(`UPDATE runs SET status = 'queued', error = NULL, ended_at = NULL,
      pid = @pid WHERE id = @id AND status IN (${resumable})`),
    markInterrupted: db.prepare(`UPDATE runs SET status = 'interrupted', ended_at = ?, pid = NULL,
      headline = json_remove(headline, '$.progress'),
      error = 'The process running it stopped (closed, killed or crashed); resume it from its last checkpoint.'
      WHERE id = ?`),
    patchHeadline: db.prepare(`UPDATE runs SET headline = json_patch(headline, ?) WHERE id = ?`),
    edit: db.prepare(`UPDATE runs SET
      name = CASE WHEN @setName THEN @name ELSE name END,
      tags = coalesce(@tags, tags),
      notes = CASE WHEN @setNotes THEN @notes ELSE notes END
      WHERE id = @id`),
    // Never a live run: another process may have resumed it since the caller looked.
    delete: db.prepare(`DELETE FROM runs WHERE id = ? AND status NOT IN (${live})`),
    upsertMetric: db.prepare(`INSERT INTO metrics (run_id, name, step, epoch, value)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, name, step) DO UPDATE SET
      epoch = excluded.epoch, value = excluded.value`),
    metrics: db.prepare(`SELECT name, step, epoch, value FROM metrics WHERE run_id = ?
      ORDER BY name, step`),
    deleteMetricsAfter: db.prepare(`DELETE FROM metrics WHERE run_id = ? AND step > ?`),
    deleteArtifact: db.prepare(`DELETE FROM artifacts WHERE run_id = ? AND kind = ? AND path = ?`),
    insertArtifact: db.prepare(`INSERT INTO artifacts (run_id, kind, path, sha256, bytes,
      created_at) VALUES (?, ?, ?, ?, ?, ?)`),
    artifacts: db.prepare(`SELECT kind, path, sha256, bytes FROM artifacts WHERE run_id = ?
      ORDER BY id`)
  }

  const requireRun = (id: number): RunRow => {
    const row = statements.get.get(id) as RunRow | undefined
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

  const detail = (id: number): RunDetail => {
    const row = requireRun(id)
    const metrics: Record<string, MetricPoint[]> = {}
    for (const m of statements.metrics.all(id) as (MetricPoint & { name: string })[])
      (metrics[m.name] ??= []).push({ step: m.step, epoch: m.epoch, value: m.value })
    const artifacts = statements.artifacts.all(id) as RunDetail['artifacts']
    return {
      ...toRunSummary(row),
      config: JSON.parse(row.config) as Record<string, unknown>,
      codeVersion: row.code_version,
      classNames: row.class_names ? (JSON.parse(row.class_names) as string[]) : [],
      hasCheckpoint: artifacts.some((a) => a.kind === 'checkpoint'),
      metrics,
      artifacts
    }
  }

  return {
    /** Stores a run with a snapshot of its full config; returns its id. */
    create(input: NewRun): number {
      const { lastInsertRowid } = statements.insert.run({
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

    /** The run with its typed config; throws when the stored config does not fit its recipe. */
    get(id: number): RunRecord {
      const run = detail(id)
      return { ...run, ...parseRunRecipe(run.recipe, run.config, id) }
    },

    /** The run as the contract shows it, its config exactly as stored. */
    detail,

    summary(id: number): RunSummary {
      return toRunSummary(requireRun(id))
    },

    list(filter: { limit?: number; status?: RunStatus } = {}): RunSummary[] {
      const rows = statements.list.all({
        status: filter.status ?? null,
        limit: filter.limit ?? 500
      })
      return (rows as RunRow[]).map(toRunSummary)
    },

    /** An experiment's runs with their configs (lighter than a record each), oldest first. */
    ofExperiment(experimentId: number): ExperimentRun[] {
      return (statements.ofExperiment.all(experimentId) as RunRow[]).map((r) => ({
        ...parseRunRecipe(r.recipe, JSON.parse(r.config), r.id),
        id: r.id,
        seed: r.seed,
        status: r.status,
        testAccuracy: (JSON.parse(r.headline) as RunHeadline).testAccuracy ?? null
      }))
    },

    /**
     * The newest completed runs of a recipe with what their speed depends on (config, backend,
     * image shape) and how long they took: the history the time estimates are measured from. A
     * run whose config no longer fits its recipe is left out: its model cannot be told.
     */
    completed(recipe: string): CompletedRun[] {
      return (statements.completed.all(recipe) as Record<string, unknown>[]).flatMap((r) => {
        const typed = runRecipeOrNull(recipe, JSON.parse(r.config as string))
        if (!typed) return []
        return {
          id: r.id as number,
          recipe: typed.recipe,
          config: typed.config,
          headline: JSON.parse((r.headline as string | null) ?? '{}') as RunHeadline,
          backend: r.backend as string | null,
          startedAt: r.started_at as string | null,
          endedAt: r.ended_at as string | null,
          shape: `${r.width as number}×${r.height as number}×${r.channels as number}`
        }
      })
    },

    /**
     * Moves a run to `status`. Live statuses record this process as its owner; `backend` records
     * the backend actually used when it starts.
     */
    setStatus(
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
    markInterrupted(alive: (pid: number) => boolean = processAlive): number {
      const orphans = (): { id: number }[] =>
        (statements.live.all() as { id: number; pid: number | null }[]).filter(
          (r) => r.pid === null || (r.pid !== process.pid && !alive(r.pid))
        )
      // Every workbench and `dgmw` command opens with this check: a plain read finds nothing to
      // do almost always, and takes no write lock (which could wait on another process's import).
      if (orphans().length === 0) return 0
      // Found some: read again and write under one write lock (BEGIN IMMEDIATE). Between a plain
      // read and the write, another process could resume an orphan, which this would then mark
      // interrupted while it trains, free for a third process to resume and train twice.
      return db
        .transaction(() => {
          const found = orphans()
          for (const r of found) statements.markInterrupted.run(now(), r.id)
          return found.length
        })
        .immediate()
    },

    /** Live runs trained as cluster jobs, with the process following each (null: none). */
    liveClusterRuns(): { id: number; pid: number | null; headline: RunHeadline }[] {
      return (
        statements.liveClusterRuns.all() as { id: number; pid: number | null; headline: string }[]
      ).map((r) => ({ ...r, headline: JSON.parse(r.headline) as RunHeadline }))
    },

    /**
     * Makes this process the follower of a live run whose follower was `expected` (gone): one
     * conditional write, so of two processes claiming at once exactly one gets it.
     */
    claim(id: number, expected: number | null): boolean {
      return statements.claim.run({ id, pid: process.pid, expected }).changes === 1
    },

    /**
     * Queues a run that ended (interrupted, stopped, failed) again, for this process, in one
     * conditional write: of two processes resuming the same run at once exactly one gets it
     * (true), so no run is trained twice. False when it is no longer in one of those states.
     */
    requeue(id: number): boolean {
      return statements.requeue.run({ id, pid: process.pid }).changes === 1
    },

    /** Merges numbers into the run's headline (shown in run tables without reading metrics). */
    updateHeadline(id: number, headline: RunHeadline): void {
      statements.patchHeadline.run(JSON.stringify(headline), id)
    },

    edit(id: number, edit: RunEdit): RunSummary {
      requireRun(id)
      statements.edit.run({
        id,
        setName: edit.name !== undefined ? 1 : 0,
        name: edit.name ?? null,
        tags: edit.tags ? JSON.stringify(edit.tags) : null,
        setNotes: edit.notes !== undefined ? 1 : 0,
        notes: edit.notes ?? null
      })
      return toRunSummary(requireRun(id))
    },

    delete(id: number): void {
      requireRun(id)
      if (statements.delete.run(id).changes === 1) return
      throw new UserError(
        `Run ${id} is ${requireRun(id).status}; stop it before deleting it.`,
        'conflict'
      )
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
    }
  }
}

export type RunRepository = ReturnType<typeof runRepository>
