/**
 * SQL for the images of a dataset (part of the dataset repository, on its database). Rows are
 * written once, in one transaction with the dataset itself, and read in pages for the gallery.
 */
import type Database from 'better-sqlite3'

export type SplitName = 'train' | 'val' | 'test'

export interface ImageRow {
  idx: number
  path: string
  label: number | null
  split: SplitName
  sha256: string | null
}

export interface ImageFilter {
  label?: number
  split?: SplitName
  offset?: number
  limit?: number
}

export function datasetImageQueries(db: Database.Database) {
  const insert =
    db.prepare(`INSERT INTO dataset_images (dataset_id, idx, path, label, split, sha256)
    VALUES (?, ?, ?, ?, ?, ?)`)
  const where = `dataset_id = @datasetId AND (@label IS NULL OR label = @label)
    AND (@split IS NULL OR split = @split)`
  const page = db.prepare(`SELECT idx, path, label, split, sha256 FROM dataset_images WHERE ${where}
    ORDER BY idx LIMIT @limit OFFSET @offset`)
  const count = db.prepare(`SELECT count(*) FROM dataset_images WHERE ${where}`).pluck()
  const counts =
    db.prepare(`SELECT label, split, count(*) AS n FROM dataset_images WHERE dataset_id = ?
    GROUP BY label, split`)
  const all = db.prepare(
    `SELECT label, split FROM dataset_images WHERE dataset_id = ? ORDER BY idx`
  )

  return {
    insertImages(datasetId: number, rows: ImageRow[]): void {
      for (const r of rows) insert.run(datasetId, r.idx, r.path, r.label, r.split, r.sha256)
    },

    /** One page of a dataset's images, with the total matching the filter. */
    listImages(datasetId: number, filter: ImageFilter = {}): { total: number; items: ImageRow[] } {
      const params = { datasetId, label: filter.label ?? null, split: filter.split ?? null }
      return {
        total: count.get(params) as number,
        items: page.all({
          ...params,
          offset: filter.offset ?? 0,
          limit: filter.limit ?? 200
        }) as ImageRow[]
      }
    },

    /** Image counts per label and split. */
    imageCounts(datasetId: number): { label: number | null; split: SplitName; n: number }[] {
      return counts.all(datasetId) as { label: number | null; split: SplitName; n: number }[]
    },

    /** Every image's label and split, in cache order (for training). */
    labelsAndSplits(datasetId: number): { label: number | null; split: SplitName }[] {
      return all.all(datasetId) as { label: number | null; split: SplitName }[]
    }
  }
}
