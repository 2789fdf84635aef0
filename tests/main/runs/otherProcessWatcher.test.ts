/**
 * Runs of another process on the same data directory reach this one's event bus: the workbench a
 * UI host opens (watching) beside the real `dgmw` CLI as a child process (npm test builds it),
 * both on one temporary data folder. And a watcher costs next to nothing when nobody else writes.
 */
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventName, EventPayload } from '../../../preload/contract'
import { EventBus } from '../../../main/host/eventBus'
import { createWorkbench } from '../../../main/host/workbench'
import type { Workbench } from '../../../main/host/workbenchServices'
import { watchOtherProcesses } from '../../../main/runs/otherProcessWatcher'
import { openRunStore, type RunStore } from '../../../main/store/runStore'
import { tempDir } from '../../helpers/tempDir'
import { writeHalves } from '../../helpers/trainingFixtures'

const bin = join(__dirname, '../../../bin/dgmw.cjs')
const env = { ...process.env, DGMW_BACKEND: 'wasm' }

interface Seen {
  name: EventName
  payload: unknown
  at: number
}

function dgmw(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, timeout: 120_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Resolves when `test` holds, checking every 100 ms; fails after `ms`. */
async function until(test: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('a workbench watching the data directory', () => {
  let dir: ReturnType<typeof tempDir>
  let home: string
  let workbench: Workbench
  const seen: Seen[] = []
  const of = <E extends EventName>(name: E): EventPayload<E>[] =>
    seen.filter((e) => e.name === name).map((e) => e.payload as EventPayload<E>)

  beforeAll(async () => {
    dir = tempDir()
    home = join(dir.path, 'home')
    await writeHalves(join(dir.path, 'halves'), 40)
    await writeHalves(join(dir.path, 'more'), 4)
    const imported = dgmw(['import', join(dir.path, 'halves'), '--data-dir', home, '--seed', '1'])
    expect(imported.code, imported.stderr).toBe(0)
    workbench = createWorkbench({
      dataDir: home,
      backend: 'wasm',
      log: () => {},
      watchOtherProcesses: true
    })
    workbench.bus.subscribe((name, payload) => seen.push({ name, payload, at: Date.now() }))
  })
  afterAll(async () => {
    await workbench?.close()
    dir?.cleanup()
  })

  it("relays a CLI run's appearance, progress, epochs and end within seconds", async () => {
    const child = spawn(
      process.execPath,
      [
        bin,
        'train',
        '--dataset',
        'halves',
        '--epochs',
        '6',
        '--batch-size',
        '4',
        '--seed',
        '3'
      ].concat(['--data-dir', home]),
      { env, stdio: ['ignore', 'pipe', 'pipe'] }
    )
    child.stdout.resume()
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    // While it trains there, this process says where to control it instead of failing oddly.
    await until(() => of('train/progress').length > 0, 60_000, 'the first relayed progress')
    const training = of('train/progress')[0].runId
    expect(() => workbench.runs.stop(training)).toThrow(/in another process.*Ctrl-C/)
    expect(() => workbench.runs.pause(training)).toThrow(/in another process/)
    expect(() => workbench.runs.delete(training)).toThrow(/in another process/)
    const code = await exited
    expect(code, stderr).toBe(0)
    const exitedAt = Date.now()
    const run = workbench.store.runs.list({ limit: 1 })[0]
    expect(run.status).toBe('completed')
    await until(
      () => of('run/status').some((e) => e.runId === run.id && e.status === 'completed'),
      5000,
      'the completed status'
    )
    const completedAt = seen.find(
      (e) =>
        e.name === 'run/status' && (e.payload as EventPayload<'run/status'>).status === 'completed'
    )!.at
    expect(completedAt - exitedAt).toBeLessThan(3000)
    const statuses = of('run/status').filter((e) => e.runId === run.id)
    expect(statuses.map((s) => s.status)[0]).toMatch(/queued|running/)
    const progress = of('train/progress').filter((e) => e.runId === run.id)
    expect(progress.length).toBeGreaterThan(3)
    const steps = progress.map((p) => p.step)
    expect(steps).toEqual([...steps].sort((a, b) => a - b))
    expect(new Set(steps).size).toBe(steps.length)
    expect(progress.some((p) => p.etaSeconds !== null && p.etaSeconds > 0)).toBe(true)
    expect(progress.every((p) => Number.isFinite(p.metrics.loss) && p.epochs === 6)).toBe(true)
    const epochs = of('train/epoch').filter((e) => e.runId === run.id)
    expect(epochs.length).toBeGreaterThan(1)
    expect(epochs.map((e) => e.epoch)).toEqual(epochs.map((_, i) => i))
    expect(epochs[0].metrics['train/loss']).toBeGreaterThan(0)
    // Finished, the run lists without its live progress.
    expect(workbench.store.runs.summary(run.id).headline.progress).toBeUndefined()
  }, 120_000)

  it('relays a dataset another process imported', async () => {
    seen.length = 0
    const imported = dgmw(['import', join(dir.path, 'more'), '--data-dir', home, '--seed', '1'])
    expect(imported.code, imported.stderr).toBe(0)
    await until(() => of('history/changed').some((e) => e.datasets), 3000, 'history/changed')
  }, 60_000)
})

describe('a watcher with nobody else writing', () => {
  it('emits nothing and costs a pragma per poll, even while this process writes', () => {
    const dir = tempDir()
    const store = openRunStore(join(dir.path, 'workbench.sqlite'))
    const bus = new EventBus()
    const events: string[] = []
    bus.subscribe((name) => events.push(name))
    const watcher = watchOtherProcesses({ store, bus, intervalMs: 60_000 })
    try {
      store.settings.set('some.key', 1)
      store.datasets.create({ name: 'own', kind: 'folder' })
      const started = performance.now()
      for (let i = 0; i < 1000; i++) watcher.poll()
      const perPoll = (performance.now() - started) / 1000
      expect(events).toEqual([])
      expect(perPoll).toBeLessThan(0.5) // milliseconds
      // Another connection's commit is seen at the next poll.
      const other = openRunStore(join(dir.path, 'workbench.sqlite'))
      other.datasets.create({ name: 'theirs', kind: 'folder' })
      other.close()
      watcher.poll()
      expect(events).toEqual(['history/changed'])
    } finally {
      watcher.close()
      store.close()
      dir.cleanup()
    }
  })
})

describe('a watcher and a second connection writing as a trainer does', () => {
  let dir: ReturnType<typeof tempDir>
  let mine: RunStore
  let theirs: RunStore
  let bus: EventBus
  let watcher: ReturnType<typeof watchOtherProcesses>
  let events: { name: EventName; payload: Record<string, unknown> }[]
  const poll = (): typeof events => {
    events = []
    watcher.poll()
    return events
  }
  const progress = (step: number) => ({
    epoch: 0,
    epochs: 2,
    step,
    totalSteps: 8,
    metrics: { loss: 1 / step, lr: 0.01 },
    imagesPerSecond: 100,
    elapsedSeconds: step,
    etaSeconds: 8 - step
  })

  beforeAll(() => {
    dir = tempDir()
    const file = join(dir.path, 'workbench.sqlite')
    mine = openRunStore(file)
    theirs = openRunStore(file)
    bus = new EventBus()
    bus.subscribe((name, payload) =>
      events.push({ name, payload: payload as Record<string, unknown> })
    )
    watcher = watchOtherProcesses({
      store: mine,
      bus,
      intervalMs: 60_000,
      deletionCheckMs: 0,
      alive: () => false
    })
  })
  afterAll(() => {
    watcher.close()
    mine.close()
    theirs.close()
    dir.cleanup()
  })

  it('relays a run from queued through steps, an epoch and a sample grid to completed', () => {
    const id = theirs.runs.create({ recipe: 'dcgan', config: {}, seed: 1 })
    expect(poll()).toEqual([{ name: 'run/status', payload: { runId: id, status: 'queued' } }])

    theirs.runs.setStatus(id, 'running')
    for (const step of [1, 2, 3])
      theirs.runs.addMetrics(id, [
        { name: 'loss', step, epoch: 0, value: 1 / step },
        { name: 'lr', step, epoch: 0, value: 0.01 }
      ])
    theirs.runs.updateHeadline(id, { progress: progress(2) }) // step 3 is not announced yet
    expect(poll()).toEqual([
      { name: 'run/status', payload: { runId: id, status: 'running' } },
      {
        name: 'train/progress',
        payload: { runId: id, ...progress(2), step: 1, metrics: { loss: 1, lr: 0.01 } }
      },
      { name: 'train/progress', payload: { runId: id, ...progress(2) } }
    ])
    expect(poll()).toEqual([]) // nothing new committed

    theirs.runs.addMetrics(id, [
      { name: 'train/loss', step: 4, epoch: 0, value: 0.4 },
      { name: 'epoch/lr', step: 4, epoch: 0, value: 0.01 },
      { name: 'samples/diversity', step: 4, epoch: 0, value: 0.5 }
    ])
    theirs.generative.addSampleGrid(id, { step: 4, epoch: 1, rows: 2, cols: 3, path: 'grid.png' })
    theirs.runs.updateHeadline(id, { epochsDone: 1, progress: progress(4) })
    const relayed = poll()
    expect(relayed.map((e) => e.name)).toEqual([
      'train/progress',
      'train/progress',
      'train/epoch',
      'run/sampleGrid'
    ])
    expect(relayed.slice(0, 2).map((e) => e.payload.step)).toEqual([3, 4])
    expect(relayed[2].payload).toEqual({
      runId: id,
      epoch: 0,
      step: 4,
      metrics: { 'train/loss': 0.4, lr: 0.01, 'samples/diversity': 0.5 }
    })
    expect(relayed[3].payload).toEqual({
      runId: id,
      step: 4,
      epoch: 1,
      rows: 2,
      cols: 3,
      diversity: 0.5
    })

    theirs.runs.setStatus(id, 'completed')
    expect(poll()).toEqual([{ name: 'run/status', payload: { runId: id, status: 'completed' } }])

    // Resumed there (`dgmw train --resume`): relayed from its fifth step, not from its first.
    theirs.runs.setStatus(id, 'running')
    theirs.runs.addMetrics(id, [{ name: 'loss', step: 5, epoch: 1, value: 0.2 }])
    theirs.runs.updateHeadline(id, { progress: { ...progress(5), epoch: 1 } })
    expect(poll().map((e) => [e.name, e.payload.step])).toEqual([
      ['run/status', undefined],
      ['train/progress', 5]
    ])
    // It ends between two polls, its progress gone from its row: the steps after the last progress
    // write still reach the curve, before the end.
    for (const step of [6, 7])
      theirs.runs.addMetrics(id, [{ name: 'loss', step, epoch: 1, value: 1 / step }])
    theirs.runs.updateHeadline(id, { progress: null })
    theirs.runs.setStatus(id, 'completed')
    expect(poll().map((e) => [e.name, e.payload.step])).toEqual([
      ['train/progress', 6],
      ['train/progress', 7],
      ['run/status', undefined]
    ])
    theirs.runs.delete(id)
    expect(poll()).toEqual([{ name: 'history/changed', payload: { datasets: false, runs: true } }])
  })

  it("never relays this process's own runs", () => {
    const id = mine.runs.create({ recipe: 'classifier', config: {}, seed: 1 })
    bus.emit('run/status', { runId: id, status: 'queued' }) // as the run service announces it
    mine.runs.setStatus(id, 'running')
    theirs.settings.set('touched', true) // some other commit, so the watcher looks
    expect(poll().filter((e) => e.name !== 'history/changed')).toEqual([])
  })

  it('ends a run whose process died as interrupted, with the reason', () => {
    const id = theirs.runs.create({
      recipe: 'classifier',
      config: {},
      seed: 1,
      status: 'running',
      pid: 2 ** 22 + 7
    })
    expect(poll()).toEqual([{ name: 'run/status', payload: { runId: id, status: 'running' } }])
    const [ended] = poll()
    expect(ended.payload).toMatchObject({
      runId: id,
      status: 'interrupted',
      error: expect.stringMatching(/resume/)
    })
    expect(mine.runs.summary(id).status).toBe('interrupted')
  })
})
