import { createWorkbench } from '../host/workbench'
import type { Workbench } from '../host/workbenchServices'
import { UserError } from '../platform/userError'
import type { CommandContext } from './context'

/** A headless workbench (store, engine, runs) for commands that train or evaluate; always closed. */
export async function withWorkbench<T>(
  ctx: CommandContext,
  use: (workbench: Workbench) => Promise<T>
): Promise<T> {
  const workbench = createWorkbench({ dataDir: ctx.dataDir, backend: ctx.backend })
  try {
    const status = await workbench.engine.ready()
    if (status.state !== 'ready')
      throw new UserError(`No tensor backend could load: ${status.error ?? 'see `dgmw doctor`'}.`)
    return await use(workbench)
  } finally {
    await workbench.close()
  }
}

/** A dataset given by id or by name. */
export function datasetIdOf(workbench: Workbench, given: string): number {
  if (/^\d+$/.test(given)) return workbench.store.datasets.get(Number(given)).id
  const found = workbench.store.datasets.findByName(given)
  if (!found)
    throw new UserError(
      `No dataset named "${given}". List datasets with \`dgmw datasets\`, or import one with \`dgmw import\`.`,
      'not-found'
    )
  return found.id
}
