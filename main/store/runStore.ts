/**
 * The run store: one SQLite file holding datasets, experiments, runs and what runs produce, read
 * and written through one repository per aggregate. All SQL of the app lives in this folder;
 * everything else calls these repositories, which return typed records.
 */
import Database from 'better-sqlite3'
import { UserError } from '../platform/userError'
import { busyTimeoutMs } from './databaseBusy'
import { changeQueries } from './changeQueries'
import { datasetRepository } from './datasetRepository'
import { experimentRepository } from './experimentRepository'
import { generativeResultRepository } from './generativeResultRepository'
import { migrations } from './migrations'
import { runRepository } from './runRepository'
import { resultRepository } from './resultRepository'
import { settingRepository } from './settingRepository'

export interface OpenOptions {
  /**
   * Path to a better-sqlite3 addon built for the current runtime. The Electron host passes the
   * Electron-ABI build here; Node (CLI, tests, browser mode) uses the package's own build.
   */
  nativeBinding?: string
  readonly?: boolean
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
  // First: another process (the CLI beside the app) may hold a lock while this one switches to
  // WAL or migrates; without the timeout either fails at once with "database is locked".
  db.pragma(`busy_timeout = ${busyTimeoutMs}`)
  if (!options.readonly) db.pragma('journal_mode = WAL')
  // In WAL mode NORMAL cannot corrupt the database; a power cut may lose only the last commit.
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  migrate(db, file)

  return {
    file,
    datasets: datasetRepository(db),
    experiments: experimentRepository(db),
    runs: runRepository(db),
    /** Evaluations and per-image predictions of classifying runs. */
    results: resultRepository(db),
    /** Sample grids and generator scores of generative runs. */
    generative: generativeResultRepository(db),
    /** What other processes wrote to the same file (for the watcher that relays it). */
    changes: changeQueries(db),
    settings: settingRepository(db),

    /**
     * Runs `write` in one transaction that takes the write lock first (BEGIN IMMEDIATE): if the
     * lock is busy it throws before `write` runs, so a retry never repeats half of it.
     */
    writeTransaction<T>(write: () => T): T {
      return db.transaction(write).immediate()
    },

    schemaVersion(): number {
      return db.pragma('user_version', { simple: true }) as number
    },

    close(): void {
      db.close()
    }
  }
}

function migrate(db: Database.Database, file: string): void {
  const version = (): number => db.pragma('user_version', { simple: true }) as number
  const current = version()
  if (current > migrations.length) {
    db.close()
    throw new UserError(
      `The run database ${file} has schema version ${current}, newer than this app understands ` +
        `(${migrations.length}). Update DGM Workbench, or use another data directory with --data-dir.`
    )
  }
  if (current === migrations.length) return
  // Two processes opening a fresh data directory at once both read version 0: the version is read
  // again under the write lock (BEGIN IMMEDIATE), so the second finds the work done, not
  // "table datasets already exists".
  db.transaction(() => {
    for (let v = version(); v < migrations.length; v++) {
      db.exec(migrations[v])
      db.pragma(`user_version = ${v + 1}`)
    }
  }).immediate()
}
