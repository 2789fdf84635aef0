/**
 * The experiments of the run store: named groups of runs on a dataset, and planned ones (a
 * label-budget experiment) that keep their plan so their chart is rebuilt from their runs.
 */
import type Database from 'better-sqlite3'
import {
  labelBudgetPlanSchema,
  type ExperimentSummary,
  type LabelBudgetPlan
} from '../../preload/contract'
import { UserError } from '../platform/userError'
import { datasetNameOf } from './runRows'

interface ExperimentRow {
  id: number
  kind: ExperimentSummary['kind']
  name: string
  dataset_id: number | null
  dataset_name: string | null
  run_count: number
  created_at: string
}

function toExperiment(row: ExperimentRow): ExperimentSummary {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    datasetId: row.dataset_id,
    datasetName: row.dataset_name,
    runCount: row.run_count,
    createdAt: row.created_at
  }
}

const summaryQuery = `SELECT e.id, e.name, e.kind, e.dataset_id, ${datasetNameOf('e')},
  e.created_at, (SELECT count(*) FROM runs r WHERE r.experiment_id = e.id) AS run_count
  FROM experiments e LEFT JOIN datasets d ON d.id = e.dataset_id`

export function experimentRepository(db: Database.Database) {
  const statements = {
    insert: db.prepare(`INSERT INTO experiments (name, dataset_id, notes, kind, plan, created_at)
      VALUES (?, ?, ?, ?, ?, ?)`),
    list: db.prepare(`${summaryQuery} ORDER BY e.created_at DESC, e.id DESC`),
    get: db.prepare(`${summaryQuery} WHERE e.id = ?`),
    byName: db.prepare(`SELECT id FROM experiments WHERE dataset_id = ? AND name = ?
      ORDER BY id LIMIT 1`),
    plan: db.prepare(`SELECT plan FROM experiments WHERE id = ?`)
  }

  const repository = {
    create(
      name: string,
      datasetId: number | null = null,
      notes: string | null = null,
      planned?: { kind: ExperimentSummary['kind']; plan: LabelBudgetPlan }
    ): number {
      return Number(
        statements.insert.run(
          name,
          datasetId,
          notes,
          planned?.kind ?? 'runs',
          planned ? JSON.stringify(planned.plan) : null,
          new Date().toISOString()
        ).lastInsertRowid
      )
    },

    list(): ExperimentSummary[] {
      return (statements.list.all() as ExperimentRow[]).map(toExperiment)
    },

    get(id: number): ExperimentSummary {
      const row = statements.get.get(id) as ExperimentRow | undefined
      if (!row) throw new UserError(`Experiment ${id} does not exist.`, 'not-found')
      return toExperiment(row)
    },

    /**
     * The experiment called `name` on a dataset, created when missing: looked up and created
     * under one write lock, so two processes starting runs at once do not make two of it.
     */
    named(datasetId: number, name: string): number {
      return db
        .transaction(() => {
          const row = statements.byName.get(datasetId, name) as { id: number } | undefined
          return row?.id ?? repository.create(name, datasetId)
        })
        .immediate()
    },

    /** The plan a label-budget experiment was created with (a plain one has none: throws). */
    labelBudgetPlan(id: number): LabelBudgetPlan {
      const row = statements.plan.get(id) as { plan: string | null } | undefined
      if (!row) throw new UserError(`Experiment ${id} does not exist.`, 'not-found')
      return labelBudgetPlanSchema.parse(row.plan === null ? null : JSON.parse(row.plan))
    }
  }
  return repository
}

export type ExperimentRepository = ReturnType<typeof experimentRepository>
