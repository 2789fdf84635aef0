/**
 * A data directory on a small, full disk (a real tmpfs mount; the test needs root and fails
 * without it): import, checkpoint, export and plain SQLite writes each fail with a message that
 * names the disk's folder and says what to do, nothing written before is damaged, and once the
 * disk has room again (remounted bigger) the same operation succeeds.
 */
import { existsSync, readdirSync, statfsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, type Client } from '../../preload/client'
import { createMemoryTransport } from '../../main/host/memoryTransport'
import { createWorkbench } from '../../main/host/workbench'
import { dataDirProblems, dgmwJson, dgmwSync, exportProblem } from '../helpers/crashTrials'
import { tinyDisk, type TinyDisk } from '../helpers/limitedDisk'
import { tempDir } from '../helpers/tempDir'
import { writeHalves } from '../helpers/trainingFixtures'

const mb = 2 ** 20
let dir: ReturnType<typeof tempDir>
let disk: TinyDisk
let home: string
let size = 24 * mb
let fillers = 0
const timings: Record<string, number> = {}

/** Fills the disk until only `leave` bytes are free (a file nobody removes: space is added). */
function fill(leave: number): void {
  const { bavail, bsize } = statfsSync(disk.path)
  const bytes = bavail * bsize - leave
  if (bytes > 0) writeFileSync(join(disk.path, `filler-${fillers++}`), Buffer.alloc(bytes))
}

/** "Space is freed": the disk grows by `bytes`, its files untouched. */
function grow(bytes = 32 * mb): void {
  size += bytes
  disk.resize(size)
}

const fullMessage = (): RegExp =>
  new RegExp(`The disk holding ${home.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is full\\. Free`)

beforeAll(async () => {
  dir = tempDir('dgmw-disk-')
  const mounted = tinyDisk(dir.path, size)
  // A full disk needs a mount (root); without one this campaign cannot run, so it fails.
  if (!mounted)
    throw new Error('Cannot mount a tmpfs here (not root?): the disk-full test needs one.')
  disk = mounted
  home = join(disk.path, 'home')
  await writeHalves(join(dir.path, 'small'), 16)
  await writeHalves(join(dir.path, 'many'), 150)
  dgmwJson(['import', join(dir.path, 'small'), '--name', 'small', '--seed', '1'], home)
}, 120_000)

afterAll(() => {
  console.log(`disk-full timings (ms): ${JSON.stringify(timings)}`)
  disk?.cleanup()
  dir?.cleanup()
})

/** Runs `dgmw` and records how long it took (recorded, never asserted). */
function timed(name: string, args: string[]): ReturnType<typeof dgmwSync> {
  const started = performance.now()
  const result = dgmwSync(args, home)
  timings[name] = Math.round(performance.now() - started)
  return result
}

describe('a data directory on a full disk', () => {
  it('import: says the disk is full, keeps the earlier dataset, imports once there is room', () => {
    fill(100 * 1024)
    const failed = timed('import on a full disk', [
      'import',
      join(dir.path, 'many'),
      '--name',
      'many'
    ])
    expect(failed.code).not.toBe(0)
    expect(failed.stderr).toMatch(fullMessage())
    expect(dataDirProblems(home)).toEqual([])
    expect(readdirSync(join(home, 'datasets')).filter((n) => n.includes('.partial'))).toEqual([])
    const { datasets } = dgmwJson<{ datasets: { name: string; imageCount: number }[] }>(
      ['datasets'],
      home
    )
    expect(datasets.map((d) => [d.name, d.imageCount])).toEqual([['small', 32]])
    grow()
    const again = dgmwSync(['import', join(dir.path, 'many'), '--name', 'many', '--json'], home)
    expect(again.code, again.stderr).toBe(0)
    expect(dataDirProblems(home)).toEqual([])
  }, 120_000)

  it('checkpoint: the run fails naming the disk, and resumes to the end once there is room', () => {
    const args = [
      'train',
      '--dataset',
      'small',
      '--epochs',
      '3',
      '--batch-size',
      '8',
      '--seed',
      '2'
    ]
    fill(600 * 1024) // room for the database's rows, not for a checkpoint
    const failed = timed('train on a full disk', [...args, '--json'])
    expect(failed.code).not.toBe(0)
    const runs = dgmwJson<{ runs: { id: number; status: string; error: string }[] }>(
      ['runs'],
      home
    ).runs
    expect(runs[0].status).toBe('failed')
    expect(runs[0].error).toMatch(fullMessage())
    expect(runs[0].error).toMatch(/resume the run from its last checkpoint/)
    expect(dataDirProblems(home)).toEqual([])
    grow()
    const resumed = dgmwJson<{ run: { status: string }; epochs: { epoch: number }[] }>(
      ['train', '--resume', String(runs[0].id)],
      home
    )
    expect(resumed.run.status).toBe('completed')
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([0, 1, 2])
    expect(dataDirProblems(home)).toEqual([])
  }, 120_000)

  it('export: says the folder is full, leaves nothing behind, exports once there is room', () => {
    const run = dgmwJson<{ runs: { id: number; status: string }[] }>(['runs'], home).runs.find(
      (r) => r.status === 'completed'
    )!
    const out = join(disk.path, 'exported')
    fill(300 * 1024)
    const failed = timed('export on a full disk', ['export', String(run.id), '--out', out])
    expect(failed.code).not.toBe(0)
    expect(failed.stderr).toMatch(
      `Writing the export in ${disk.path} failed (ENOSPC): the disk is full; free some space or choose another disk. Nothing was left behind.`
    )
    expect(existsSync(out)).toBe(false)
    expect(readdirSync(disk.path).filter((n) => n.startsWith('.'))).toEqual([])
    expect(dataDirProblems(home)).toEqual([])
    grow()
    const again = dgmwSync(['export', String(run.id), '--out', out], home)
    expect(again.code, again.stderr).toBe(0)
    expect(exportProblem(out)).toBeNull()
  }, 120_000)

  it('plain database writes: a clear error, the last saved note intact, writes again with room', async () => {
    const workbench = createWorkbench({ dataDir: home, engineOnDemand: true, log: () => {} })
    const client: Client = createClient(createMemoryTransport(workbench))
    try {
      const [run] = await client.request('runs/list', { limit: 1 })
      fill(0)
      // Notes of 10,000 characters until the write-ahead log needs a page the disk lacks.
      let saved: string | null = null
      let failure: Error | undefined
      const started = performance.now()
      for (let i = 0; i < 2000 && !failure; i++) {
        const notes = `${i} `.padEnd(10_000, String.fromCharCode(97 + (i % 26)))
        try {
          await client.request('runs/update', { id: run.id, notes })
          saved = notes
        } catch (error) {
          failure = error as Error
        }
      }
      timings['updates until full'] = Math.round(performance.now() - started)
      expect(failure?.message).toMatch(fullMessage())
      const detail = await client.request('runs/get', { id: run.id })
      expect(detail.notes).toBe(saved)
      expect(dataDirProblems(home)).toEqual([])
      grow()
      await client.request('runs/update', { id: run.id, notes: 'written after space was freed' })
      expect((await client.request('runs/get', { id: run.id })).notes).toBe(
        'written after space was freed'
      )
    } finally {
      await workbench.close()
    }
    expect(dataDirProblems(home)).toEqual([])
  }, 120_000)
})
