/**
 * Crash trials (issue 18, "Crashes and full disks"): `dgmw` killed with SIGKILL at seeded random
 * moments during import, training, checkpoint writing, generative sampling, export and the
 * label-budget experiment, on one real data directory. After every kill the next process must
 * find SQLite intact, no half-written dataset, checkpoint, sample folder or export, every live run
 * marked interrupted, and a resumed run or experiment ending exactly as an uninterrupted one.
 *
 * 10 trials here; `scripts/crash-trials.sh` runs 60 (DGMW_CAMPAIGN_SCALE=full). The seed is
 * DGMW_CRASH_SEED (default 18) and every failure message carries seed, trial, phase and delay.
 *
 * The second part is the power-loss shape: checkpoint and database disagreeing (either way round)
 * after a crash, and a resume that still ends as the uninterrupted run does.
 */
import { copyFileSync, cpSync, existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seededRandom } from '../../main/platform/random'
import {
  dataDirProblems,
  dgmwJson,
  dgmwSync,
  exportProblem,
  runAndKill,
  walk,
  type KillMoment,
  type KilledRun
} from '../helpers/crashTrials'
import { tempDir } from '../helpers/tempDir'
import { writeHalves } from '../helpers/trainingFixtures'

const full = process.env.DGMW_CAMPAIGN_SCALE === 'full'
const trials = full ? 60 : 10
const seed = Number(process.env.DGMW_CRASH_SEED ?? 18)
const phases = ['import', 'train', 'checkpoint', 'sample', 'export', 'label-budget'] as const
type Phase = (typeof phases)[number]

const epochs = 5
const trainArgs = [
  'train',
  '--dataset',
  'small',
  '--epochs',
  String(epochs),
  '--batch-size',
  '8',
  '--lr',
  '0.0005',
  '--seed',
  '5'
]
const budgetArgs = [
  'experiment',
  'label-budget',
  '--dataset',
  'small',
  '--recipes',
  'classifier',
  '--budgets',
  '2,all',
  '--steps',
  '12',
  '--batch-size',
  '8'
]
const importImages = 300
const sampleImages = 150

interface TrainDoc {
  run: { id: number; status: string }
  final: { testAccuracy: number; testLoss: number }
  epochs: { epoch: number; trainLoss: number; valLoss: number }[]
}
interface BudgetDoc {
  experiment: { id: number }
  cells: { recipe: string; budget: number; mean: number | null }[]
}
interface Trial {
  trial: number
  phase: Phase
  delayMs: number
  killed: boolean
  ms: number
  outcome: string
}

let dir: ReturnType<typeof tempDir>
let home: string
let reference: TrainDoc
let budgetReference: BudgetDoc
let generatorRun: number
const durations: Record<string, number> = {}
const record: Trial[] = []

const timed = <T>(name: string, work: () => T): T => {
  const started = performance.now()
  const result = work()
  durations[name] = performance.now() - started
  return result
}

beforeAll(async () => {
  dir = tempDir('dgmw-crash-')
  home = join(dir.path, 'home')
  await writeHalves(join(dir.path, 'small'), 16)
  await writeHalves(join(dir.path, 'many'), importImages / 2)
  dgmwJson(['import', join(dir.path, 'small'), '--name', 'small', '--seed', '1'], home)
  timed('import', () =>
    dgmwJson(['import', join(dir.path, 'many'), '--name', 'many', '--seed', '1'], home)
  )
  reference = timed('train', () => dgmwJson<TrainDoc>(trainArgs, home))
  budgetReference = timed('label-budget', () => dgmwJson<BudgetDoc>(budgetArgs, home))
  const vae = dgmwJson<TrainDoc>(
    ['train', '--dataset', 'small', '--recipe', 'vae', '--epochs', '1', '--batch-size', '8'],
    home
  )
  generatorRun = vae.run.id
  timed('sample', () =>
    dgmwJson(
      ['sample', String(generatorRun), '--n', String(sampleImages), '--out', join(dir.path, 's0')],
      home
    )
  )
  timed('export', () =>
    dgmwJson(['export', String(reference.run.id), '--out', join(dir.path, 'e0')], home)
  )
}, 240_000)

afterAll(() => {
  if (record.length > 0) {
    console.log(`crash trials, seed ${seed}: reference timings (ms) ${JSON.stringify(durations)}`)
    console.table(record)
  }
  dir?.cleanup()
})

/** The same epochs, losses and test result as the uninterrupted reference run. */
function expectSameAsReference(doc: TrainDoc, context: string): void {
  expect(doc.run.status, context).toBe('completed')
  expect(
    doc.epochs.map((e) => e.epoch),
    context
  ).toEqual([...Array(epochs).keys()])
  expect(
    doc.epochs.map((e) => e.trainLoss),
    context
  ).toEqual(reference.epochs.map((e) => e.trainLoss))
  expect(doc.final.testLoss, context).toBe(reference.final.testLoss)
}

/** The next process opens the data directory; interrupted runs resume to the reference. */
function afterKillTraining(killed: KilledRun, context: string): string {
  const listed = dgmwJson<{ runs: { id: number; status: string }[] }>(['runs'], home)
  expect(dataDirProblems(home), context).toEqual([])
  const run = listed.runs.find((r) => r.id === killed.runId)
  if (!run) return 'no run yet'
  if (!killed.killed || run.status === 'completed') {
    // It ended before the kill landed (a completed run is recorded only once it is whole).
    expect(run.status, context).toBe('completed')
    return 'completed before the kill'
  }
  expect(run.status, context).toBe('interrupted')
  expectSameAsReference(dgmwJson<TrainDoc>(['train', '--resume', String(run.id)], home), context)
  return 'interrupted, resumed to the reference'
}

const trialsPlan = Array.from({ length: trials }, (_, trial) => {
  const random = seededRandom(seed * 1000 + trial)
  return { trial, phase: phases[trial % phases.length], fraction: random(), pick: random() }
})

describe(`kill -9 at random moments (${trials} trials, seed ${seed})`, () => {
  it.each(trialsPlan)(
    'trial $trial: $phase',
    async ({ trial, phase, fraction, pick }) => {
      // A share of the uninterrupted command's time (which includes starting the process); timed
      // from a line it prints, less of it is left, so most kills land before the end.
      const span = (name: string, fromLine = false): number =>
        Math.round(fraction * durations[name] * (fromLine ? 0.6 : 0.95))
      let moment: KillMoment
      let args: string[]
      const out = join(dir.path, `out-${trial}`)
      switch (phase) {
        case 'import':
          args = ['import', join(dir.path, 'many'), '--reimport', '--name', `many-${trial}`]
          moment = { after: 'start', delayMs: span('import') }
          break
        case 'train':
          args = trainArgs
          moment = { after: 'output', marker: /Run \d+:/, delayMs: span('train', true) }
          break
        case 'checkpoint':
          args = trainArgs
          // Right after the rename of a checkpoint, before (or as) the host records the epoch.
          moment = {
            after: 'checkpoint',
            count: 1 + Math.floor(pick * (epochs - 1)),
            delayMs: Math.floor(fraction * 4)
          }
          break
        case 'sample':
          args = ['sample', String(generatorRun), '--n', String(sampleImages), '--out', out]
          moment = { after: 'start', delayMs: span('sample') }
          break
        case 'export':
          args = ['export', String(reference.run.id), '--out', out]
          // Half the trials replace an earlier export (--force): a kill may land in the swap.
          if (pick < 0.5) {
            cpSync(join(dir.path, 'e0'), out, { recursive: true })
            args.push('--force')
          }
          moment = { after: 'start', delayMs: span('export') }
          break
        case 'label-budget':
          args = budgetArgs
          moment = {
            after: 'output',
            marker: /Experiment \d+:/,
            delayMs: span('label-budget', true)
          }
          break
      }
      const killed = await runAndKill(args, home, moment)
      const context = `seed ${seed}, trial ${trial}, phase ${phase}, moment ${JSON.stringify(
        moment,
        (_, v: unknown) => (v instanceof RegExp ? v.source : v)
      )}, killed ${killed.killed}; stderr: ${killed.stderr.slice(-600)}`
      let outcome: string
      switch (phase) {
        case 'import':
          outcome = afterKillImport(trial, context)
          break
        case 'train':
        case 'checkpoint':
          outcome = afterKillTraining(killed, context)
          break
        case 'sample':
          outcome = afterKillFolder(out, args, context, (path) => {
            const files = walk(path).filter((p) => p.endsWith('.png'))
            return files.length === sampleImages ? null : `${files.length} images`
          })
          break
        case 'export':
          outcome = afterKillFolder(out, args, context, exportProblem)
          break
        case 'label-budget':
          outcome = afterKillExperiment(killed, context)
          break
      }
      record.push({
        trial,
        phase,
        delayMs: moment.delayMs,
        killed: killed.killed,
        ms: Math.round(killed.ms),
        outcome
      })
    },
    180_000
  )
})

/** A dataset cut short is absent (and its staging gone), or complete. */
function afterKillImport(trial: number, context: string): string {
  const { datasets } = dgmwJson<{ datasets: { name: string; imageCount: number }[] }>(
    ['datasets'],
    home
  )
  expect(dataDirProblems(home), context).toEqual([])
  const staging = readdirSync(join(home, 'datasets')).filter((n) => n.includes('.partial'))
  expect(staging, context).toEqual([])
  const dataset = datasets.find((d) => d.name === `many-${trial}`)
  if (!dataset) return 'absent'
  expect(dataset.imageCount, context).toBe(importImages)
  return 'complete'
}

/**
 * A folder written by a killed process is absent or complete; written again to the same place,
 * it is complete and nothing hidden is left beside it.
 */
function afterKillFolder(
  out: string,
  args: string[],
  context: string,
  problem: (path: string) => string | null
): string {
  if (existsSync(out)) {
    expect(problem(out), context).toBeNull()
    rmSync(out, { recursive: true })
    const again = dgmwSync(args, home)
    expect(again.code, `${context}; again: ${again.stderr}`).toBe(0)
    expect(dataDirProblems(home), context).toEqual([])
    return 'complete'
  }
  const again = dgmwSync(args, home)
  expect(again.code, `${context}; again: ${again.stderr}`).toBe(0)
  expect(problem(out), context).toBeNull()
  const hidden = readdirSync(dir.path).filter((n) => n.startsWith(`.out-`))
  expect(hidden, context).toEqual([])
  expect(dataDirProblems(home), context).toEqual([])
  return 'absent; written again complete'
}

/** An experiment cut short resumes (its interrupted runs train again) to the reference. */
function afterKillExperiment(killed: KilledRun, context: string): string {
  dgmwJson(['runs'], home)
  expect(dataDirProblems(home), context).toEqual([])
  const id = Number(/Experiment (\d+):/.exec(killed.stderr + killed.stdout)?.[1])
  if (!id) return 'no experiment yet'
  const resumed = dgmwJson<BudgetDoc>(['experiment', 'label-budget', '--resume', String(id)], home)
  expect(
    resumed.cells.map((c) => [c.recipe, c.budget, c.mean]),
    context
  ).toEqual(budgetReference.cells.map((c) => [c.recipe, c.budget, c.mean]))
  return killed.killed ? 'resumed to the reference' : 'ended'
}

describe('power-loss shape: checkpoint and database disagree after a crash', () => {
  it('resumes to the uninterrupted result whichever of the two is ahead', async () => {
    // One run killed after its 4th epoch was recorded; the 3rd epoch's checkpoint is kept aside.
    const base = join(dir.path, 'disagree')
    cpSync(home, base, { recursive: true })
    const third = join(dir.path, 'epoch-3.ckpt')
    const killed = await runAndKill(
      trainArgs,
      base,
      { after: 'output', marker: /epoch 4\/5:/, delayMs: 0 },
      (output) => {
        const id = /Run (\d+):/.exec(output)?.[1]
        // The line is printed once the host recorded the epoch, long before the next checkpoint.
        if (id && /epoch 3\/5:/.test(output) && !existsSync(third))
          copyFileSync(join(base, 'runs', id, 'checkpoint.ckpt'), third)
      }
    )
    expect(killed.killed, killed.stderr).toBe(true)
    expect(existsSync(third)).toBe(true)
    const id = killed.runId!
    const checkpointAhead = join(dir.path, 'checkpoint-ahead')
    const rowsAhead = join(dir.path, 'rows-ahead')
    cpSync(base, checkpointAhead, { recursive: true })
    cpSync(base, rowsAhead, { recursive: true })

    // Checkpoint ahead: the database lost the 4th epoch (its last commits, which a power cut may
    // take with synchronous=NORMAL, or a kill between checkpoint and rows); the file holds it.
    const db = new Database(join(checkpointAhead, 'workbench.sqlite'))
    const { step } = db
      .prepare(`SELECT step FROM metrics WHERE run_id = ? AND name = 'train/loss' AND epoch = 2`)
      .get(id) as { step: number }
    db.prepare('DELETE FROM metrics WHERE run_id = ? AND step > ?').run(id, step)
    db.prepare(`UPDATE runs SET headline = json_set(headline, '$.epochsDone', 3) WHERE id = ?`).run(
      id
    )
    db.close()
    const ahead = dgmwJson<TrainDoc>(['train', '--resume', String(id)], checkpointAhead)
    expectSameAsReference(ahead, 'checkpoint ahead of the database')

    // Database ahead: it recorded the 4th epoch, but the checkpoint file is the 3rd epoch's (the
    // rename of the 4th was lost). The checkpoint wins: rows past it are dropped and retrained.
    copyFileSync(third, join(rowsAhead, 'runs', String(id), 'checkpoint.ckpt'))
    const behind = dgmwJson<TrainDoc>(['train', '--resume', String(id)], rowsAhead)
    expectSameAsReference(behind, 'database ahead of the checkpoint')
    for (const home of [checkpointAhead, rowsAhead]) expect(dataDirProblems(home)).toEqual([])
  }, 180_000)
})
