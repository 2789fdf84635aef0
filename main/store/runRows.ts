/**
 * How a run's row reads (part of the run store): the columns every run query selects, with the
 * dataset's name kept after the dataset is deleted, and their mapping to the contract's summary.
 */
import type { RunHeadline, RunStatus, RunSummary } from '../../preload/contract'

export interface RunRow {
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

/** A run or experiment whose dataset was deleted says so: "clothes (deleted)". */
export const datasetNameOf = (table: 'r' | 'e'): string =>
  `coalesce(d.name, ${table}.deleted_dataset_name || ' (deleted)') AS dataset_name,
  (d.id IS NULL AND ${table}.deleted_dataset_name IS NOT NULL) AS dataset_deleted`

export const runColumns = `r.id, r.name, r.experiment_id, r.dataset_id, ${datasetNameOf('r')},
  r.recipe, r.seed, r.backend, r.status, r.created_at, r.started_at, r.ended_at, r.error, r.tags,
  r.config, r.notes, r.headline, r.code_version, r.pid, d.class_names`

export function toRunSummary(row: RunRow): RunSummary {
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
