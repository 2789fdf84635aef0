import { join } from 'node:path'
import { databaseFileName, ensureDataDir } from '../platform/dataDir'
import { openRunStore, type RunStore } from '../store/runStore'
import type { CommandContext } from './context'

/** Opens the run store of the command's data directory for `use`, and always closes it. */
export async function withStore<T>(
  ctx: CommandContext,
  use: (store: RunStore, dataDir: string) => T | Promise<T>
): Promise<T> {
  const dataDir = ensureDataDir(ctx.dataDir)
  const store = openRunStore(join(dataDir, databaseFileName))
  try {
    // Runs whose process died (killed, crashed) show as interrupted, not as still running.
    store.runs.markInterrupted()
    return await use(store, dataDir)
  } finally {
    store.close()
  }
}
