/**
 * Crash trials: the built `dgmw` as a real child process, killed with SIGKILL at a chosen moment
 * (a delay after a line it prints, or right after it renames a new checkpoint into place), and
 * what a data directory must look like afterwards. Used by tests/reliability/crashTrials.test.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, watch } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'

const bin = join(__dirname, '../../bin/dgmw.cjs')
/** The wasm engine: the same numbers on every machine, so a resumed run can equal a straight one. */
export const cliEnv = { ...process.env, DGMW_BACKEND: 'wasm' }

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `dgmw` to the end (bounded: two minutes). */
export function dgmwSync(args: string[], home: string): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args, '--data-dir', home], {
    encoding: 'utf8',
    env: cliEnv,
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Runs `dgmw … --json` to the end and parses its output; throws with its stderr on failure. */
export function dgmwJson<T>(args: string[], home: string): T {
  const r = dgmwSync([...args, '--json'], home)
  if (r.code !== 0) throw new Error(`dgmw ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

/**
 * When to kill: `delayMs` after the start, after the output first matches `marker`, or after the
 * n-th checkpoint.
 */
export type KillMoment =
  | { after: 'start'; delayMs: number }
  | { after: 'output'; marker: RegExp; delayMs: number }
  | { after: 'checkpoint'; count: number; delayMs: number }

export interface KilledRun extends CliResult {
  /** False when the process ended on its own before the moment came. */
  killed: boolean
  /** The run id it printed ("Run 7: …"), if it printed one. */
  runId?: number
  ms: number
}

/**
 * Starts `dgmw args` and kills it with SIGKILL at `moment`. For 'checkpoint' the run's folder is
 * watched: the kill follows the rename of its `count`-th checkpoint into place, before the host
 * has recorded that epoch in SQLite (the window a power cut also opens).
 */
export async function runAndKill(
  args: string[],
  home: string,
  moment: KillMoment,
  /** Called with all output so far at each new chunk (to act at a line, e.g. copy a file). */
  onOutput?: (output: string) => void,
  timeoutMs = 120_000
): Promise<KilledRun> {
  const started = performance.now()
  const child = spawn(process.execPath, [bin, ...args, '--data-dir', home], {
    env: cliEnv,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  let killed = false
  let runId: number | undefined
  let armed = false
  let watcher: ReturnType<typeof watch> | undefined
  const kill = (): void => {
    if (killed || child.exitCode !== null) return
    killed = child.kill('SIGKILL')
  }
  const later = (): void => {
    if (moment.delayMs <= 0) kill()
    else setTimeout(kill, moment.delayMs)
  }
  const seen = (): void => {
    const output = stdout + stderr
    runId ??= Number(/Run (\d+):/.exec(output)?.[1]) || undefined
    onOutput?.(output)
    if (armed) return
    if (moment.after === 'output' && moment.marker.test(output)) {
      armed = true
      later()
    } else if (moment.after === 'checkpoint' && runId !== undefined) {
      armed = true
      watcher = watchCheckpoints(join(home, 'runs', String(runId)), moment.count, later)
    }
  }
  if (moment.after === 'start') later()
  child.stdout.on('data', (chunk) => ((stdout += chunk), seen()))
  child.stderr.on('data', (chunk) => ((stderr += chunk), seen()))
  const code = await exited(child, timeoutMs)
  watcher?.close()
  return { code, stdout, stderr, killed, runId, ms: performance.now() - started }
}

/** Calls `then` when the `count`-th new checkpoint has been renamed into `dir`. */
function watchCheckpoints(dir: string, count: number, then: () => void): ReturnType<typeof watch> {
  mkdirSync(dir, { recursive: true }) // the trainer creates it the same way (recursive)
  let renames = 0
  return watch(dir, (event, name) => {
    if (event === 'rename' && name === 'checkpoint.ckpt' && ++renames === count) then()
  })
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`dgmw did not end within ${timeoutMs} ms`))
    }, timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve(code)
    })
  })
}

/** Every path under `root` (files and folders), relative to it. */
export function walk(root: string, rel = ''): string[] {
  const out: string[] = []
  for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
    const path = join(rel, entry.name)
    out.push(path)
    if (entry.isDirectory()) out.push(...walk(root, path))
  }
  return out
}

/** SQLite's own check, opened read-write as the app opens it (WAL recovery needs to write). */
export function integrity(home: string): string {
  const db = new Database(join(home, 'workbench.sqlite'))
  try {
    return String(db.pragma('integrity_check', { simple: true }))
  } finally {
    db.close()
  }
}

/** Why a checkpoint file would not load (the layout of main/engine/checkpoint.ts), or null. */
export function checkpointProblem(file: string): string | null {
  const data = readFileSync(file)
  if (data.length < 12 || data.subarray(0, 8).toString() !== 'DGMWCKP1') return 'no magic'
  const headerLength = data.readUInt32LE(8)
  let header: { state?: { epochsDone?: number }; tensors?: { offset: number; length: number }[] }
  try {
    header = JSON.parse(data.subarray(12, 12 + headerLength).toString('utf8'))
  } catch {
    return 'unreadable header'
  }
  const bytes = (header.tensors ?? []).reduce((n, t) => n + t.length, 0)
  if (12 + headerLength + bytes !== data.length)
    return `size ${data.length}, header says ${12 + headerLength + bytes}`
  if (typeof header.state?.epochsDone !== 'number') return 'no epoch counter'
  return null
}

/** Why an export folder would not load (missing manifest or weights), or null. */
export function exportProblem(dir: string): string | null {
  for (const file of ['metadata.json', 'model.json', 'labels.txt', 'README.md'])
    if (!existsSync(join(dir, file))) return `${file} is missing`
  const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    weightsManifest: { paths: string[]; weights: { shape: number[] }[] }[]
  }
  for (const group of model.weightsManifest) {
    const floats = group.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0)
    const bytes = group.paths.reduce(
      (n, p) => n + (existsSync(join(dir, p)) ? statSync(join(dir, p)).size : 0),
      0
    )
    if (bytes !== floats * 4) return `weights hold ${bytes} bytes, the manifest needs ${floats * 4}`
  }
  JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'))
  return null
}

/**
 * What is wrong with a data directory after a kill, once the next process has opened it (it
 * clears leftovers at start): temporary files, checkpoints that would not load, datasets whose
 * pixel cache is missing or short, runs still claiming to be live.
 */
export function dataDirProblems(home: string): string[] {
  const problems: string[] = []
  const check = integrity(home)
  if (check !== 'ok') problems.push(`integrity_check: ${check}`)
  for (const path of walk(home)) {
    if (/\.(tmp|partial)-\d+/.test(path)) problems.push(`leftover temporary ${path}`)
    if (path.endsWith('.ckpt')) {
      const why = checkpointProblem(join(home, path))
      if (why) problems.push(`checkpoint ${path}: ${why}`)
    }
  }
  const db = new Database(join(home, 'workbench.sqlite'), { readonly: true })
  try {
    const datasets = db
      .prepare('SELECT id, name, image_count n, width w, height h, channels c, meta FROM datasets')
      .all() as {
      id: number
      name: string
      n: number
      w: number
      h: number
      c: number
      meta: string
    }[]
    for (const d of datasets) {
      const file = String((JSON.parse(d.meta) as { cacheFile?: string }).cacheFile)
      const want = d.n * d.w * d.h * d.c
      const size = existsSync(file) ? statSync(file).size : -1
      if (size !== want) problems.push(`dataset ${d.name}: cache ${size} bytes, needs ${want}`)
    }
    const live = db
      .prepare(`SELECT id, status FROM runs WHERE status IN ('queued', 'running', 'paused')`)
      .all() as { id: number; status: string }[]
    for (const r of live) problems.push(`run ${r.id} still ${r.status}`)
  } finally {
    db.close()
  }
  return problems
}
