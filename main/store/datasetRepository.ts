/**
 * The datasets of the run store with their images. A deleted dataset leaves its name on its runs
 * and experiments and a record that it was deleted, so both still say what they were trained on.
 */
import type Database from 'better-sqlite3'
import { liveRunStatuses, type DatasetSummary } from '../../preload/contract'
import { UserError } from '../platform/userError'
import { datasetImageQueries, type ImageRow } from './datasetImages'

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

/** A dataset with the facts of its import (how images were fitted, what was skipped). */
export type DatasetRecord = DatasetSummary & { meta: Record<string, unknown> }

interface DatasetRow {
  id: number
  name: string
  kind: string
  source_path: string | null
  image_count: number
  class_names: string
  width: number | null
  height: number | null
  channels: number | null
  meta: string
  created_at: string
}

function toDatasetSummary(row: DatasetRow): DatasetSummary {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    sourcePath: row.source_path,
    imageCount: row.image_count,
    classNames: JSON.parse(row.class_names) as string[],
    width: row.width,
    height: row.height,
    channels: row.channels,
    createdAt: row.created_at
  }
}

const now = (): string => new Date().toISOString()

export function datasetRepository(db: Database.Database) {
  const statements = {
    insert: db.prepare(`INSERT INTO datasets
      (name, kind, source_path, image_count, class_names, width, height, channels, meta, created_at)
      VALUES (@name, @kind, @sourcePath, @imageCount, @classNames, @width, @height, @channels,
      @meta, @createdAt)`),
    list: db.prepare(`SELECT * FROM datasets ORDER BY created_at DESC, id DESC`),
    get: db.prepare(`SELECT * FROM datasets WHERE id = ?`),
    byName: db.prepare(`SELECT * FROM datasets WHERE name = ?`),
    bySource: db.prepare(`SELECT * FROM datasets WHERE source_path = ?
      ORDER BY created_at DESC, id DESC LIMIT 1`),
    rename: db.prepare(`UPDATE datasets SET name = ? WHERE id = ?`),
    delete: db.prepare(`DELETE FROM datasets WHERE id = ?`),
    keepNameOnRuns: db.prepare(`UPDATE runs SET deleted_dataset_name = ? WHERE dataset_id = ?`),
    keepNameOnExperiments: db.prepare(`UPDATE experiments SET deleted_dataset_name = ?
      WHERE dataset_id = ?`),
    recordDeleted: db.prepare(`INSERT OR REPLACE INTO deleted_datasets (id, name, deleted_at)
      VALUES (?, ?, ?)`),
    deleted: db.prepare(`SELECT name, deleted_at FROM deleted_datasets WHERE id = ?`),
    liveRuns: db.prepare(`SELECT id, status FROM runs WHERE dataset_id = ?
      AND status IN (${liveRunStatuses.map((s) => `'${s}'`).join(', ')}) ORDER BY id`)
  }
  const images = datasetImageQueries(db)

  /** `wanted`, or the first free "wanted (2)", "wanted (3)"… (call it inside the write). */
  const freeName = (wanted: string): string => {
    const taken = (name: string): boolean => statements.byName.get(name) !== undefined
    if (!taken(wanted)) return wanted
    for (let n = 2; ; n++) if (!taken(`${wanted} (${n})`)) return `${wanted} (${n})`
  }

  const renameNow = (id: number, name: string): DatasetSummary => {
    const dataset = repository.get(id)
    const wanted = name.trim()
    if (!wanted) throw new UserError('A dataset needs a name; type one.', 'invalid-args')
    const other = repository.findByName(wanted)
    if (other && other.id !== id)
      throw new UserError(
        `Dataset ${other.id} is already called "${wanted}"; pick another name.`,
        'conflict'
      )
    if (wanted !== dataset.name) statements.rename.run(wanted, id)
    return toDatasetSummary(statements.get.get(id) as DatasetRow)
  }

  const repository = {
    create(input: NewDataset): DatasetSummary {
      try {
        const { lastInsertRowid } = statements.insert.run({
          name: input.name,
          kind: input.kind,
          sourcePath: input.sourcePath ?? null,
          imageCount: input.imageCount ?? 0,
          classNames: JSON.stringify(input.classNames ?? []),
          width: input.width ?? null,
          height: input.height ?? null,
          channels: input.channels ?? null,
          meta: JSON.stringify(input.meta ?? {}),
          createdAt: now()
        })
        return toDatasetSummary(statements.get.get(lastInsertRowid) as DatasetRow)
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

    /**
     * Creates a dataset and its image rows in one transaction: all of it is stored or none. With
     * `numberIfTaken` a taken name gets the first free " (2)", " (3)"…, chosen under the same
     * write lock: two imports of folders with the same name in two processes both succeed.
     */
    createWithImages(
      input: NewDataset,
      rows: ImageRow[],
      options: { numberIfTaken?: boolean } = {}
    ): DatasetSummary {
      return db
        .transaction(() => {
          const name = options.numberIfTaken ? freeName(input.name) : input.name
          const dataset = repository.create({ ...input, name })
          images.insertImages(dataset.id, rows)
          return dataset
        })
        .immediate()
    },

    get(id: number): DatasetRecord {
      const row = statements.get.get(id) as DatasetRow | undefined
      if (!row) {
        const gone = statements.deleted.get(id) as { name: string; deleted_at: string } | undefined
        throw new UserError(
          gone
            ? `Dataset ${id} "${gone.name}" was deleted on ${gone.deleted_at.slice(0, 10)}; import its images again to train on them.`
            : `Dataset ${id} does not exist. List datasets with \`dgmw datasets\`.`,
          'not-found'
        )
      }
      return { ...toDatasetSummary(row), meta: JSON.parse(row.meta) as Record<string, unknown> }
    },

    findByName(name: string): DatasetSummary | undefined {
      const row = statements.byName.get(name) as DatasetRow | undefined
      return row ? toDatasetSummary(row) : undefined
    },

    /** The newest dataset imported from `sourcePath` (an absolute, resolved path), if any. */
    findBySource(sourcePath: string): DatasetSummary | undefined {
      const row = statements.bySource.get(sourcePath) as DatasetRow | undefined
      return row ? toDatasetSummary(row) : undefined
    },

    list(): DatasetSummary[] {
      return (statements.list.all() as DatasetRow[]).map(toDatasetSummary)
    },

    /** Renames a dataset; the name is checked and written under one write lock. */
    rename(id: number, name: string): DatasetSummary {
      return db.transaction(() => renameNow(id, name)).immediate()
    },

    /**
     * Deletes a dataset and its image rows in one transaction. Its runs and experiments keep their
     * results and its name (shown as "name (deleted)"); a run still training on it refuses the
     * deletion. The caller removes the cache files afterwards.
     */
    delete(id: number): void {
      // Immediate: the check for live runs and the delete see the same database, even while
      // another process queues a run on this dataset.
      db.transaction(() => {
        const dataset = repository.get(id)
        const live = statements.liveRuns.all(id) as { id: number; status: string }[]
        if (live.length > 0)
          throw new UserError(
            `Dataset "${dataset.name}" is in use by ${live.map((r) => `run ${r.id} (${r.status})`).join(', ')}; stop ${live.length === 1 ? 'it' : 'them'} before deleting the dataset.`,
            'conflict'
          )
        statements.keepNameOnRuns.run(dataset.name, id)
        statements.keepNameOnExperiments.run(dataset.name, id)
        statements.recordDeleted.run(id, dataset.name, now())
        statements.delete.run(id)
      }).immediate()
    },

    listImages: images.listImages,
    imageCounts: images.imageCounts,
    labelsAndSplits: images.labelsAndSplits
  }
  return repository
}

export type DatasetRepository = ReturnType<typeof datasetRepository>
