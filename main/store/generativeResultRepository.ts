/**
 * What generative runs produce (part of the run store): the timelapse's sample grids and the
 * generator's scores over time.
 */
import type Database from 'better-sqlite3'
import type { GeneratorScores, SampleGridInfo } from '../../preload/contract'

export function generativeResultRepository(db: Database.Database) {
  const upsertGrid = db.prepare(`INSERT INTO sample_grids (run_id, step, epoch, rows, cols, path)
    VALUES (@runId, @step, @epoch, @rows, @cols, @path) ON CONFLICT (run_id, step) DO UPDATE SET
    epoch = excluded.epoch, rows = excluded.rows, cols = excluded.cols, path = excluded.path`)
  const grids = db.prepare(`SELECT step, epoch, rows, cols FROM sample_grids WHERE run_id = ?
    ORDER BY step`)
  const grid = db.prepare(`SELECT step, epoch, rows, cols, path FROM sample_grids
    WHERE run_id = ? AND step = ?`)
  const dropGridsAfter = db.prepare(`DELETE FROM sample_grids WHERE run_id = ? AND step > ?`)
  const upsertScores = db.prepare(`INSERT INTO generator_scores (run_id, step, report, created_at)
    VALUES (?, ?, ?, ?) ON CONFLICT (run_id, step) DO UPDATE SET report = excluded.report,
    created_at = excluded.created_at`)
  const scores = db.prepare(`SELECT report FROM generator_scores WHERE run_id = ? ORDER BY step`)

  return {
    addSampleGrid(runId: number, info: SampleGridInfo & { path: string }): void {
      upsertGrid.run({ runId, ...info })
    },
    listSampleGrids(runId: number): SampleGridInfo[] {
      return grids.all(runId) as SampleGridInfo[]
    },
    getSampleGrid(runId: number, step: number): (SampleGridInfo & { path: string }) | undefined {
      return grid.get(runId, step) as (SampleGridInfo & { path: string }) | undefined
    },
    /** Grids drawn after `step` by an attempt that died before its next checkpoint. */
    deleteSampleGridsAfter(runId: number, step: number): void {
      dropGridsAfter.run(runId, step)
    },
    saveGeneratorScores(runId: number, report: GeneratorScores): void {
      upsertScores.run(runId, report.step, JSON.stringify(report), new Date().toISOString())
    },
    /** Every measurement of the run's generator, oldest first. */
    listGeneratorScores(runId: number): GeneratorScores[] {
      return (scores.all(runId) as { report: string }[]).map(
        (r) => JSON.parse(r.report) as GeneratorScores
      )
    }
  }
}
