/**
 * SQL for noticing what other processes wrote to the same database (part of the run store): the
 * commit counter SQLite keeps per connection, cheap fingerprints of the lists, and the rows of
 * runs that changed, so a watcher can relay a CLI run's progress to the open UI.
 */
import type Database from 'better-sqlite3'
import { liveRunStatuses, type RunHeadline, type RunStatus } from '../../preload/contract'

/** What a watcher needs of a run to tell what changed since it last looked. */
export interface RunState {
  id: number
  status: RunStatus
  error: string | null
  pid: number | null
  headline: RunHeadline
}

export interface MetricValue {
  name: string
  step: number
  epoch: number | null
  value: number
}

export function changeQueries(db: Database.Database) {
  const datasetsPrint = db.prepare(`SELECT count(*) || ':' ||
    coalesce(group_concat(id || '=' || name || '/' || image_count, ','), '') AS print FROM datasets`)
  const runsPrint = db.prepare(`SELECT count(*) || ':' || coalesce(max(id), 0) AS print FROM runs`)
  const maxRunId = db.prepare(`SELECT coalesce(max(id), 0) AS id FROM runs`)
  // Three indexed lookups: one OR over them would scan every run (34 ms at 100,000 runs).
  const runStates =
    db.prepare(`SELECT id, status, error, pid, headline FROM runs WHERE id > @afterId
    UNION SELECT id, status, error, pid, headline FROM runs
      WHERE status IN (${liveRunStatuses.map((s) => `'${s}'`).join(', ')})
    UNION SELECT id, status, error, pid, headline FROM runs
      WHERE id IN (SELECT value FROM json_each(@ids))
    ORDER BY id`)
  const metricsAfter = db.prepare(`SELECT name, step, epoch, value FROM metrics
    WHERE run_id = @runId AND name IN (SELECT value FROM json_each(@names))
      AND step > @after AND step <= @upTo ORDER BY step, name`)
  const lastStep = db.prepare(`SELECT coalesce(max(step), -1) AS step FROM metrics
    WHERE run_id = ?`)
  const metricsOfEpoch = db.prepare(`SELECT name, step, epoch, value FROM metrics
    WHERE run_id = ? AND epoch = ? ORDER BY step, name`)

  return {
    /**
     * SQLite's counter of commits made by OTHER connections to this database file (PRAGMA
     * data_version): unchanged means nobody else wrote, so a poll costs one pragma.
     */
    dataVersion(): number {
      return db.pragma('data_version', { simple: true }) as number
    },

    /** A fingerprint of the dataset list: differs after another process adds, renames or deletes one. */
    datasetsFingerprint(): string {
      return (datasetsPrint.get() as { print: string }).print
    },

    /** A fingerprint of the run list's membership (runs added or deleted); counts every run. */
    runsFingerprint(): string {
      return (runsPrint.get() as { print: string }).print
    },

    maxRunId(): number {
      return (maxRunId.get() as { id: number }).id
    },

    /** Runs created after `afterId`, every live run, and the runs named in `ids`. */
    runStates(afterId: number, ids: readonly number[]): RunState[] {
      const rows = runStates.all({ afterId, ids: JSON.stringify(ids) }) as (Omit<
        RunState,
        'headline'
      > & { headline: string })[]
      return rows.map((r) => ({ ...r, headline: JSON.parse(r.headline) as RunHeadline }))
    },

    /** The run's values of the `names` series recorded at steps in (after, upTo], by step. */
    metricsAfter(
      runId: number,
      names: readonly string[],
      after: number,
      upTo: number
    ): MetricValue[] {
      return metricsAfter.all({ runId, names: JSON.stringify(names), after, upTo }) as MetricValue[]
    },

    /** The last step the run recorded any value at (-1 before its first). */
    lastMetricStep(runId: number): number {
      return (lastStep.get(runId) as { step: number }).step
    },

    /** Every value the run recorded with this epoch number, by step. */
    metricsOfEpoch(runId: number, epoch: number): MetricValue[] {
      return metricsOfEpoch.all(runId, epoch) as MetricValue[]
    }
  }
}
