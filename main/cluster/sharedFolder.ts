/**
 * The shared folder a profile names, seen by this machine and every compute node at the same path.
 * Its layout:
 *
 *   <shared>/dgmw/objects/<sha256>.<ext>       inputs, content-addressed: a dataset's image cache,
 *                                              a generator's checkpoint (copied once, read by all)
 *   <shared>/dgmw/runs/<workbench>/<run>/      one run: spec.json, events.jsonl, checkpoints, samples
 *   <shared>/dgmw/jobs/<workbench>/<batch>/    one submission: job.sh, runs.txt, logs/<task>.out|err
 *
 * `<workbench>` tells data directories apart that share one cluster folder (each has its own run
 * numbers). Nothing here is SQLite: compute nodes never open the run database.
 */
import { createHash, randomBytes } from 'node:crypto'
import {
  copyFileSync,
  cpSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync
} from 'node:fs'
import { dirname, extname, join, relative } from 'node:path'
import { UserError } from '../platform/userError'

export const clusterRoot = (shared: string): string => join(shared, 'dgmw')

export const remoteRunDir = (shared: string, workbench: string, runId: number): string =>
  join(clusterRoot(shared), 'runs', workbench, String(runId))

export const batchDir = (shared: string, workbench: string, batch: string): string =>
  join(clusterRoot(shared), 'jobs', workbench, batch)

/** Where a job writes its output and errors (Slurm's `%a`: the task of the job array). */
export const taskLog = (batch: string, task: number, stream: 'out' | 'err'): string =>
  join(batch, 'logs', `${task}.${stream}`)

/** Checks the shared folder exists and is writable here, with words that say what to fix. */
export function checkSharedFolder(shared: string, profile: string): void {
  let isFolder = false
  try {
    isFolder = statSync(shared).isDirectory()
  } catch {
    // Reported below.
  }
  if (!isFolder)
    throw new UserError(
      `The shared folder of profile "${profile}", ${shared}, does not exist on this machine. ` +
        'Mount the cluster filesystem here (the same path the compute nodes see), or change ' +
        `the profile: \`dgmw slurm profile add ${profile} --shared-folder DIR\`.`
    )
  try {
    mkdirSync(join(clusterRoot(shared), 'objects'), { recursive: true })
  } catch (error) {
    throw new UserError(
      `Cannot write to the shared folder of profile "${profile}", ${shared}: ` +
        `${(error as Error).message}. Choose a folder you may write to.`
    )
  }
}

/** Unique per call: two stagings of one file at once (a job array's runs) never share it. */
const temporaryName = (target: string): string =>
  `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`

/** Content hashes of files already staged by this process: path, size and mtime → sha256. */
const hashes = new Map<string, string>()

async function sha256Of(file: string): Promise<string> {
  const { size, mtimeMs, ino } = statSync(file)
  const key = `${file}\0${size}\0${mtimeMs}\0${ino}`
  const known = hashes.get(key)
  if (known) return known
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  const digest = hash.digest('hex')
  hashes.set(key, digest)
  return digest
}

/**
 * The copy of `file` in the shared folder's objects, made once: a dataset's cache read by a
 * hundred jobs is copied (and read over the network) once, not once per job. Written under a
 * temporary name and renamed, so a job never reads half a copy.
 */
export async function stageFile(shared: string, file: string): Promise<string> {
  const digest = await sha256Of(file)
  const target = join(clusterRoot(shared), 'objects', `${digest}${extname(file)}`)
  if (existsSync(target)) return target
  mkdirSync(dirname(target), { recursive: true })
  const temp = temporaryName(target)
  try {
    copyFileSync(file, temp)
    renameSync(temp, target)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
  return target
}

/** A folder (an exported model to fine-tune from) staged like a file: its files, hashed together. */
export async function stageFolder(shared: string, folder: string): Promise<string> {
  const names = readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .sort()
  const whole = createHash('sha256')
  for (const name of names) whole.update(`${name}\0${await sha256Of(join(folder, name))}\0`)
  const target = join(clusterRoot(shared), 'objects', whole.digest('hex'))
  if (existsSync(target)) return target
  const temp = temporaryName(target)
  try {
    cpSync(folder, temp, { recursive: true })
    renameSync(temp, target)
  } catch (error) {
    rmSync(temp, { recursive: true, force: true })
    throw error
  }
  return target
}
