/**
 * A training process killed with SIGKILL (no chance to clean up) leaves the database intact and
 * the run resumable from its last checkpoint; resumed, it ends exactly where an uninterrupted run
 * with the same seed ends. Runs the built `dgmw` (npm test builds first) as real child processes.
 */
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../helpers/tempDir'
import { writeHalves } from '../../helpers/trainingFixtures'

const bin = join(__dirname, '../../../bin/dgmw.cjs')
const env = { ...process.env, DGMW_BACKEND: 'wasm' }

interface TrainDoc {
  run: { id: number; status: string; backend: string }
  final: { testAccuracy: number; testLoss: number; epochsDone: number }
  epochs: { epoch: number; trainLoss: number; valLoss: number }[]
}

function dgmw(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, timeout: 120_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('a training process killed mid-run', () => {
  let dir: ReturnType<typeof tempDir>
  let home: string
  const trainArgs = [
    '--dataset',
    'halves',
    '--epochs',
    '24',
    '--batch-size',
    '8',
    '--seed',
    '5',
    '--json'
  ]

  beforeAll(async () => {
    dir = tempDir()
    home = join(dir.path, 'home')
    await writeHalves(join(dir.path, 'halves'), 24)
    expect(dgmw(['import', join(dir.path, 'halves'), '--data-dir', home, '--seed', '1']).code).toBe(
      0
    )
  })
  afterAll(() => dir.cleanup())

  it('leaves the database intact and the run resumable, ending as an uninterrupted run does', async () => {
    // Kill the trainer as soon as its third epoch has ended (and been checkpointed).
    const child = spawn(process.execPath, [bin, 'train', ...trainArgs, '--data-dir', home], {
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stderr = ''
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk
        if (/epoch 3\/24:/.test(stderr)) {
          child.kill('SIGKILL')
          resolve()
        }
      })
      child.once('exit', (code) =>
        reject(new Error(`trainer exited (${code}) before epoch 3: ${stderr}`))
      )
    })
    await new Promise((resolve) => child.once('exit', resolve))

    const db = new Database(join(home, 'workbench.sqlite'), { readonly: true })
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    const row = db.prepare('SELECT id, status FROM runs').get() as { id: number; status: string }
    expect(row.status).toBe('running') // nobody was left to record anything else
    db.close()

    // The next process sees that the run's owner is gone: interrupted, resumable.
    const listed = JSON.parse(dgmw(['runs', '--json', '--data-dir', home]).stdout) as {
      runs: { status: string; error: string }[]
    }
    expect(listed.runs[0].status).toBe('interrupted')
    expect(listed.runs[0].error).toMatch(/resume it from its last checkpoint/)
    const resumed = dgmw(['train', '--resume', String(row.id), '--json', '--data-dir', home])
    expect(resumed.code, resumed.stderr).toBe(0)
    const doc = JSON.parse(resumed.stdout) as TrainDoc
    expect(doc.run).toMatchObject({ id: row.id, status: 'completed', backend: 'wasm' })
    expect(doc.epochs.map((e) => e.epoch)).toEqual([...Array(24).keys()])
    expect(doc.final.testAccuracy).toBeGreaterThan(0.5)

    // The same seed without the kill: the same curve and the same end.
    const straight = dgmw(['train', ...trainArgs, '--data-dir', home])
    expect(straight.code, straight.stderr).toBe(0)
    const reference = JSON.parse(straight.stdout) as TrainDoc
    expect(doc.epochs.map((e) => e.trainLoss)).toEqual(reference.epochs.map((e) => e.trainLoss))
    expect(doc.final.testLoss).toBe(reference.final.testLoss)

    // Both runs stay completed once their processes have exited.
    const after = JSON.parse(dgmw(['runs', '--json', '--data-dir', home]).stdout) as {
      runs: { status: string }[]
    }
    expect(after.runs.map((r) => r.status)).toEqual(['completed', 'completed'])
  }, 180_000)
})
