import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ContractError, createClient, type Client } from '../../../preload/client'
import { requestNames, type EngineStatus } from '../../../preload/contract'
import { createMemoryTransport } from '../../../main/host/memoryTransport'
import { createWorkbench } from '../../../main/host/workbench'
import type { Workbench } from '../../../main/host/workbenchServices'
import { seedHistory } from '../../helpers/seedHistory'
import { tempDir } from '../../helpers/tempDir'

/** Calls that must be refused, with the error code and the words a person will read. */
const refused: { name: string; args: unknown; code: string; message: RegExp }[] = [
  {
    name: 'runs/list',
    args: { limit: -1 },
    code: 'invalid-args',
    message: /Invalid arguments for "runs\/list".*limit/s
  },
  { name: 'runs/list', args: { status: 'exploded' }, code: 'invalid-args', message: /status/ },
  {
    name: 'runs/list',
    args: { limit: 5, sql: 'DROP TABLE runs' },
    code: 'invalid-args',
    message: /sql/
  },
  { name: 'runs/get', args: { id: '1' }, code: 'invalid-args', message: /id/ },
  { name: 'runs/get', args: { id: 999 }, code: 'not-found', message: /Run 999 does not exist/ },
  { name: 'app/info', args: { extra: true }, code: 'invalid-args', message: /extra/ },
  // Paths typed in the app: relative ones are refused where they enter, saying where they'd land.
  ...(
    [
      ['datasets/import', { path: 'data/clothes' }, 'data/clothes'],
      ['datasets/findImported', { path: './clothes' }, './clothes'],
      ['runs/export', { id: 1, format: 'onnx', out: 'models/cnn' }, 'models/cnn'],
      ['runs/saveSamples', { id: 1, out: 'samples.png' }, 'samples.png'],
      ['exports/inspect', { path: 'models/cnn' }, 'models/cnn'],
      ['predict/images', { source: { runId: 1 }, paths: ['/abs/a.png', 'b.png'] }, 'b.png'],
      ['predict/images', { source: { exportDir: 'cnn' }, paths: ['/abs/a.png'] }, 'cnn']
    ] as const
  ).map(([name, args, typed]) => ({
    name,
    args,
    code: 'invalid-args',
    message: new RegExp(
      `^"${typed.replace(/[.]/g, '\\.')}" is relative; it would resolve to ${process.cwd()}/.+ — give the full path`
    )
  })),
  {
    name: 'fs/readFile',
    args: {},
    code: 'unknown-request',
    message: /Unknown request "fs\/readFile"/
  }
]

describe('the contract over the in-memory transport', () => {
  let dir: ReturnType<typeof tempDir>
  let workbench: Workbench
  let client: Client
  let seeded: ReturnType<typeof seedHistory>
  const events: EngineStatus[] = []

  beforeAll(async () => {
    dir = tempDir()
    seeded = seedHistory(dir.path)
    workbench = createWorkbench({ dataDir: dir.path, backend: 'cpu', log: () => {} })
    client = createClient(createMemoryTransport(workbench))
    client.on('engine/status', (status) => events.push(status))
    await workbench.engine.ready()
  })
  afterAll(async () => {
    await workbench.close()
    dir.cleanup()
  })

  it('answers app/info with the data directory and database', async () => {
    const info = await client.request('app/info')
    expect(info.dataDir).toBe(dir.path)
    expect(info.databasePath).toBe(`${dir.path}/workbench.sqlite`)
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('lists the run history from the SQLite file', async () => {
    const runs = await client.request('runs/list')
    expect(runs.map((r) => r.id)).toEqual([...seeded.runIds].reverse())
    expect(runs.find((r) => r.id === seeded.runIds[1])).toMatchObject({
      status: 'failed',
      recipe: 'dcgan',
      datasetName: 'fashion-mnist'
    })
    expect(await client.request('runs/list', { status: 'completed' })).toHaveLength(1)
    const [experiment] = await client.request('experiments/list')
    expect(experiment).toMatchObject({
      name: 'Small CNN baseline',
      runCount: 3,
      datasetName: 'fashion-mnist'
    })
    const [dataset] = await client.request('datasets/list')
    expect(dataset.classNames).toHaveLength(10)
  })

  it('returns a run with its metric series', async () => {
    const run = await client.request('runs/get', { id: seeded.runIds[0] })
    expect(run.metrics.loss.map((p) => p.value)).toEqual([2.3, 1.1])
    expect(run.config).toEqual({ preset: 'small-cnn', epochs: 5, lr: 0.001 })
  })

  it.each(refused)('refuses $name $args with $code', async ({ name, args, code, message }) => {
    const envelope = await createMemoryTransport(workbench).request(name as never, args)
    expect(envelope.ok).toBe(false)
    if (envelope.ok) return
    expect(envelope.error.code).toBe(code)
    expect(envelope.error.message).toMatch(message)
  })

  it('raises refusals as ContractError on the client side', async () => {
    await expect(client.request('runs/get', { id: 12345 })).rejects.toBeInstanceOf(ContractError)
  })

  it('reports the forced backend and pushes the engine status as an event', async () => {
    const status = await client.request('engine/status')
    expect(status).toMatchObject({ state: 'ready', active: 'cpu', forced: 'cpu', forcedBy: 'flag' })
    expect(status.rungs.find((r) => r.name === 'wasm')?.reason).toMatch(/cpu was forced/)
    expect(events.at(-1)).toEqual(status)
  })

  it('has a handler for every request in the contract', async () => {
    const uuid = '00000000-0000-4000-8000-000000000000'
    const args: Record<string, unknown> = {
      'runs/get': { id: seeded.runIds[0] },
      'engine/setBackend': { backend: 'cpu' },
      'datasets/import': { path: '/nonexistent/folder' },
      'datasets/get': { id: seeded.datasetId },
      'datasets/images': { id: seeded.datasetId },
      'datasets/pixels': { id: seeded.datasetId, indices: [0] },
      'datasets/delete': { id: 999 },
      'datasets/rename': { id: 999, name: 'x' },
      'datasets/findImported': { path: '/nonexistent/folder' },
      'datasets/augmentPreview': { id: seeded.datasetId, augmentation: {} },
      'uploads/begin': { name: 'x' },
      'uploads/file': { uploadId: uuid, path: 'a.png', data: '' },
      'uploads/finish': { uploadId: uuid },
      'uploads/discard': { path: '/nonexistent/x' },
      'experiments/create': { name: 'x', datasetId: 999 },
      'experiments/labelBudget': { datasetId: 999, recipes: ['classifier'], budgets: [10] },
      'experiments/labelBudgetResult': { id: 999 },
      'experiments/labelBudgetPreview': { datasetId: 999, recipes: ['classifier'], budgets: [10] },
      'runs/start': { datasetId: 999 },
      'runs/preview': { datasetId: 999 },
      'runs/pause': { id: 999 },
      'runs/resume': { id: 999 },
      'runs/stop': { id: 999 },
      'runs/update': { id: 999, name: 'x' },
      'runs/delete': { id: 999 },
      'runs/evaluation': { id: 999 },
      'runs/evaluate': { id: 999 },
      'runs/predictions': { id: 999 },
      'runs/sampleGrids': { id: 999 },
      'runs/sampleGrid': { id: 999, step: 0 },
      'runs/generate': { id: 999 },
      'runs/saveSamples': { id: 999, out: '/nonexistent/x.png' },
      'runs/score': { id: 999 },
      'runs/scores': { id: 999 },
      'runs/reconstructions': { id: 999 },
      'runs/latentMap': { id: 999 },
      'dialog/chooseSavePath': { defaultName: 'x' },
      'runs/export': { id: 999, format: 'tfjs', out: '/nonexistent/x' },
      'exports/inspect': { path: '/nonexistent/x' },
      'predict/images': { source: { runId: 999 }, paths: ['/nonexistent/x.png'] },
      'cluster/saveProfile': { name: 'x', sharedFolder: '/nonexistent/shared' },
      'cluster/deleteProfile': { name: 'nope' },
      'cluster/testProfile': { name: 'nope' },
      'explain/saliency': { runId: 999, image: { datasetIndex: 0 }, method: 'grad' },
      'explain/traversals': { runId: 999 },
      'explain/counterfactuals': { runId: 999, image: { datasetIndex: 0 } },
      'explain/prototypes': { runId: 999 }
    }
    for (const name of requestNames) {
      const envelope = await createMemoryTransport(workbench).request(name, args[name] ?? {})
      // Reaching a handler is the point: refusals by the handler itself are fine here.
      if (!envelope.ok)
        expect([name, envelope.error.code]).not.toEqual([
          name,
          expect.stringMatching(/unknown-request|invalid-args/)
        ])
    }
  })
})

describe('choosing the backend from the UI', () => {
  it('saves the choice, restarts the engine with it and keeps it across restarts', async () => {
    const dir = tempDir()
    let workbench = createWorkbench({ dataDir: dir.path, log: () => {} })
    let client = createClient(createMemoryTransport(workbench))
    const auto = await workbench.engine.ready()
    expect(auto.forced).toBeUndefined()

    const chosen = await client.request('engine/setBackend', { backend: 'cpu' })
    expect(chosen).toMatchObject({
      state: 'ready',
      active: 'cpu',
      forced: 'cpu',
      forcedBy: 'setting'
    })
    expect(await client.request('engine/status')).toEqual(chosen)
    await workbench.close()

    workbench = createWorkbench({ dataDir: dir.path, log: () => {} })
    client = createClient(createMemoryTransport(workbench))
    expect(await workbench.engine.ready()).toMatchObject({ active: 'cpu', forcedBy: 'setting' })
    const back = await client.request('engine/setBackend', { backend: 'auto' })
    expect(back.active).toBe(auto.active)
    expect(back.forced).toBeUndefined()
    await workbench.close()
    dir.cleanup()
  })

  it('refuses when --backend forced the choice, or for an unknown backend', async () => {
    const dir = tempDir()
    const workbench = createWorkbench({ dataDir: dir.path, backend: 'cpu', log: () => {} })
    const client = createClient(createMemoryTransport(workbench))
    await expect(client.request('engine/setBackend', { backend: 'wasm' })).rejects.toThrow(
      /forced to cpu by --backend or DGMW_BACKEND; restart without it/
    )
    const envelope = await createMemoryTransport(workbench).request('engine/setBackend', {
      backend: 'cuda'
    })
    expect(envelope).toMatchObject({ ok: false, error: { code: 'invalid-args' } })
    await workbench.close()
    dir.cleanup()
  })
})

describe('the engine worker', () => {
  it('stays alive after choosing a backend, until the workbench closes', async () => {
    const dir = tempDir()
    const workbench = createWorkbench({ dataDir: dir.path, backend: 'cpu', log: () => {} })
    await workbench.engine.ready()
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(workbench.engine.status().state).toBe('ready')
    await workbench.close()
    dir.cleanup()
  })

  it('closes twice without hanging (the second close once waited for an exit already seen)', async () => {
    const dir = tempDir()
    const workbench = createWorkbench({ dataDir: dir.path, backend: 'cpu', log: () => {} })
    await workbench.engine.ready()
    await workbench.close()
    // Nothing else keeps Node alive here, so a promise that never settles would end the test
    // process silently; the timer makes a hang fail the test instead.
    const keepAlive = setTimeout(() => {}, 10_000)
    await expect(workbench.close()).resolves.toBeUndefined()
    await expect(workbench.engine.close()).resolves.toBeUndefined()
    clearTimeout(keepAlive)
    dir.cleanup()
  })
})
