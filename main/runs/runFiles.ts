import { rmSync } from 'node:fs'
import { join } from 'node:path'

/** Each run's files (checkpoints, and later samples and exports) live in one folder of the data dir. */
export const runDir = (dataDir: string, runId: number): string =>
  join(dataDir, 'runs', String(runId))

export function deleteRunFiles(dataDir: string, runId: number): void {
  rmSync(runDir(dataDir, runId), { recursive: true, force: true })
}
