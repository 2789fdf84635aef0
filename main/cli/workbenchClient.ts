/**
 * The CLI's own headless workbench, driven as every other client drives one: typed requests and
 * events over the in-process memory transport. Commands resolve paths against the shell's folder
 * before they cross (the handlers refuse relative paths, which an app cannot see).
 */
import { createClient, type Client } from '../../preload/client'
import { isLiveStatus, type EngineStatus, type RunDetail } from '../../preload/contract'
import { createMemoryTransport } from '../host/memoryTransport'
import { createWorkbench } from '../host/workbench'
import { UserError } from '../platform/userError'
import type { CommandContext } from './context'

/** A client of a workbench on the command's data directory for `use`; the workbench always closes. */
export async function withClient<T>(
  ctx: CommandContext,
  use: (client: Client) => T | Promise<T>,
  options: { adoptClusterRuns?: boolean } = {}
): Promise<T> {
  // Listing runs or renaming a dataset never needs a tensor: the engine starts on first use.
  const workbench = createWorkbench({
    dataDir: ctx.dataDir,
    backend: ctx.backend,
    engineOnDemand: true,
    adoptClusterRuns: options.adoptClusterRuns ?? false
  })
  try {
    return await use(createClient(createMemoryTransport(workbench)))
  } finally {
    await workbench.close()
  }
}

/** withClient for commands that train or evaluate: refused first when no tensor backend loads. */
export function withEngine<T>(
  ctx: CommandContext,
  use: (client: Client) => Promise<T>,
  options: { adoptClusterRuns?: boolean } = {}
): Promise<T> {
  return withClient(
    ctx,
    async (client) => {
      await requireEngine(client)
      return use(client)
    },
    options
  )
}

/** Starts the engine and waits for it; refused when no tensor backend loads. */
export async function requireEngine(client: Client): Promise<void> {
  const status = await engineReady(client)
  if (status.state !== 'ready')
    throw new UserError(`No tensor backend could load: ${status.error ?? 'see `dgmw doctor`'}.`)
}

/** The engine's status once it has chosen a backend or failed (asking for it starts it). */
export function engineReady(client: Client): Promise<EngineStatus> {
  return new Promise((resolve, reject) => {
    const settle = (status: EngineStatus): void => {
      if (status.state === 'starting') return
      off()
      resolve(status)
    }
    // Listening first, so the status that ends 'starting' cannot slip between the two.
    const off = client.on('engine/status', settle)
    client.request('engine/status').then(settle, (error: unknown) => {
      off()
      reject(error)
    })
  })
}

/**
 * The run once it is no longer live (completed, stopped, failed, interrupted); at once when another
 * process trains it, as there is nothing here to wait for.
 */
export function settled(client: Client, runId: number): Promise<RunDetail> {
  return new Promise((resolve, reject) => {
    let done = false
    const finish = (run: Promise<RunDetail> | RunDetail): void => {
      if (done) return
      done = true
      off()
      Promise.resolve(run).then(resolve, reject)
    }
    // Listening first, so an end between the subscription and the first look is not missed.
    const off = client.on('run/status', (event) => {
      if (event.runId === runId && !isLiveStatus(event.status))
        finish(client.request('runs/get', { id: runId }))
    })
    client.request('runs/get', { id: runId }).then(
      (run) => {
        if (!isLiveStatus(run.status) || run.trainedElsewhere) finish(run)
      },
      (error: unknown) => {
        if (done) return
        done = true
        off()
        reject(error)
      }
    )
  })
}

/** A dataset given by id or by name. */
export async function datasetIdOf(client: Client, given: string): Promise<number> {
  if (/^\d+$/.test(given)) return (await client.request('datasets/get', { id: Number(given) })).id
  const found = (await client.request('datasets/list')).find((d) => d.name === given)
  if (!found)
    throw new UserError(
      `No dataset named "${given}". List datasets with \`dgmw datasets\`, or import one with \`dgmw import\`.`,
      'not-found'
    )
  return found.id
}
