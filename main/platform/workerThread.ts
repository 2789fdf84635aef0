import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'

/**
 * Starts one of the app's worker-thread entries. Built, every entry sits beside the host bundle in
 * out/main (`<name>.js`); under tests only the TypeScript source exists, so a one-line bootstrap
 * registers tsx in the worker and loads `<sourceDir>/<name>.ts`.
 */
export function startWorkerThread(name: string, sourceDir: string, workerData: unknown): Worker {
  const built = join(__dirname, `${name}.js`)
  if (existsSync(built)) return new Worker(built, { workerData })
  const source = JSON.stringify(join(sourceDir, `${name}.ts`))
  return new Worker(`require('tsx/cjs'); require(${source})`, { eval: true, workerData })
}
