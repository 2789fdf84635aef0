/**
 * The results of classifying runs (part of the run store): the evaluation report and one
 * prediction per evaluated image, replaced together in one transaction.
 */
import type Database from 'better-sqlite3'
import type { Evaluation, Prediction, SplitName } from '../../preload/contract'

export interface PredictionFilter {
  label?: number
  predicted?: number
  wrong?: boolean
  offset?: number
  limit?: number
}

export function resultRepository(db: Database.Database) {
  const deleteEvaluation = db.prepare(`DELETE FROM evaluations WHERE run_id = ? AND split = ?`)
  const insertEvaluation = db.prepare(`INSERT INTO evaluations (run_id, split, report, created_at)
    VALUES (?, ?, ?, ?)`)
  const deletePredictions = db.prepare(`DELETE FROM predictions WHERE run_id = ?`)
  const insertPrediction = db.prepare(`INSERT INTO predictions
    (run_id, idx, label, predicted, confidence) VALUES (?, ?, ?, ?, ?)`)
  const getEvaluation = db.prepare(`SELECT report, created_at FROM evaluations
    WHERE run_id = ? AND split = ?`)
  const where = `run_id = @runId AND (@label IS NULL OR label = @label)
    AND (@predicted IS NULL OR predicted = @predicted) AND (@wrong = 0 OR label != predicted)`
  const page = db.prepare(`SELECT idx, label, predicted, confidence FROM predictions
    WHERE ${where} ORDER BY confidence DESC, idx LIMIT @limit OFFSET @offset`)
  const count = db.prepare(`SELECT count(*) AS n FROM predictions WHERE ${where}`)

  const save = db.transaction((evaluation: Evaluation, predictions: Prediction[]): void => {
    const { runId, split, createdAt, ...report } = evaluation
    deleteEvaluation.run(runId, split)
    insertEvaluation.run(runId, split, JSON.stringify(report), createdAt)
    deletePredictions.run(runId)
    for (const p of predictions)
      insertPrediction.run(runId, p.idx, p.label, p.predicted, p.confidence)
  })

  return {
    /** Replaces the run's evaluation on `split` and its per-image predictions, all or nothing. */
    saveEvaluation(evaluation: Evaluation, predictions: Prediction[]): void {
      save(evaluation, predictions)
    },

    getEvaluation(runId: number, split: SplitName = 'test'): Evaluation | null {
      const row = getEvaluation.get(runId, split) as
        { report: string; created_at: string } | undefined
      if (!row) return null
      return { runId, split, createdAt: row.created_at, ...JSON.parse(row.report) } as Evaluation
    },

    listPredictions(
      runId: number,
      filter: PredictionFilter = {}
    ): { total: number; items: Prediction[] } {
      const params = {
        runId,
        label: filter.label ?? null,
        predicted: filter.predicted ?? null,
        wrong: filter.wrong ? 1 : 0
      }
      return {
        total: (count.get(params) as { n: number }).n,
        items: page.all({
          ...params,
          limit: filter.limit ?? 200,
          offset: filter.offset ?? 0
        }) as Prediction[]
      }
    }
  }
}
