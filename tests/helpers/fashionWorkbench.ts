import { join } from 'node:path'
import { createClient, type Client } from '../../preload/client'
import { expect } from 'vitest'
import type { ImportReport, RequestArgs, RunDetail } from '../../preload/contract'
import { importDataset } from '../../main/datasets/importDataset'
import { createMemoryTransport } from '../../main/host/memoryTransport'
import { createWorkbench } from '../../main/host/workbench'
import type { Workbench } from '../../main/host/workbenchServices'
import { writeFashionSubset } from './fashionSubset'
import { tempDir } from './tempDir'

export interface FashionWorkbench {
  dir: ReturnType<typeof tempDir>
  workbench: Workbench
  /** The contract over the in-memory transport, as the UI calls it. */
  client: Client
  report: ImportReport
  /** Queues a run through the contract, waits for it and expects it to complete. */
  train(args: RequestArgs<'runs/start'>): Promise<RunDetail>
  close(): Promise<void>
}

/**
 * A headless workbench on wasm, in a fresh temporary folder, with `perClass` real Fashion-MNIST
 * images of every class imported (seed 2) and its engine ready: the start of the run tests.
 */
export async function openFashionWorkbench(perClass: number): Promise<FashionWorkbench> {
  const dir = tempDir()
  await writeFashionSubset(join(dir.path, 'clothes'), perClass)
  const workbench = createWorkbench({
    dataDir: join(dir.path, 'home'),
    backend: 'wasm',
    log: () => {}
  })
  const client = createClient(createMemoryTransport(workbench))
  const report = await importDataset(
    workbench.store,
    workbench.dataDir,
    join(dir.path, 'clothes'),
    {
      seed: 2
    }
  )
  await workbench.engine.ready()
  return {
    dir,
    workbench,
    client,
    report,
    async train(args) {
      const queued = await client.request('runs/start', args)
      const run = await workbench.runs.settled(queued.id)
      expect(run.error).toBeNull()
      expect(run.status).toBe('completed')
      return client.request('runs/get', { id: run.id })
    },
    async close() {
      await workbench.close()
      dir.cleanup()
    }
  }
}
