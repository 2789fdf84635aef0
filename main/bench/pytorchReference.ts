/**
 * The one way a bench finds and runs its reference: a Python script under bench/reference/ that
 * measures the same thing with PyTorch (or PIL + numpy) and prints its report as the last line of
 * stdout, one JSON object.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** bench/reference/<name>, found from the source (main/bench) or the bundle (out/main). */
export function referenceScript(name: string): string | undefined {
  for (let dir = __dirname, i = 0; i < 6; dir = dirname(dir), i++) {
    const script = join(dir, 'bench', 'reference', name)
    if (existsSync(script)) return script
  }
  return undefined
}

/** Why a reference script is missing, said the same way by every bench. */
export const missingScriptMessage = (name: string): string =>
  `bench/reference/${name} was not found; it ships with the source checkout.`

/**
 * The first Python that can import `modules` ("torch", "PIL, numpy"). Debian's python3-torch is
 * only visible to /usr/bin/python3, and `python3` on PATH is often a pyenv or venv Python that
 * cannot see it; DGMW_PYTHON comes first.
 */
export function findPython(modules: string): { python?: string; tried: string[] } {
  const candidates = [process.env.DGMW_PYTHON, '/usr/bin/python3', 'python3', 'python']
  const tried: string[] = []
  for (const python of new Set(candidates.filter((c): c is string => !!c))) {
    const probe = spawnSync(python, ['-c', `import ${modules}`], {
      encoding: 'utf8',
      timeout: 60_000
    })
    if (probe.status === 0) return { python, tried }
    const why = probe.error
      ? probe.error.message
      : (probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`)
    tried.push(`${python}: ${why}`)
  }
  return { tried }
}

/** The first Python that can import torch (see findPython). */
export const findTorchPython = (): { python?: string; tried: string[] } => findPython('torch')

/** What to install when no Python could import torch, with what each candidate said. */
export const missingTorchMessage = (tried: string[]): string =>
  `no Python here can import torch (${tried.join('; ')}). Install PyTorch ` +
  '(Debian: `apt-get install python3-torch`; elsewhere: `pip install torch`) or point ' +
  'DGMW_PYTHON at a Python that has it.'

/**
 * Runs `python script ...args` and parses the report on its last stdout line; a failure says which
 * Python and script failed, how, and the end of what it wrote on stderr.
 */
export function runReferenceScript<T>(
  python: string,
  script: string,
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}
): { report: T } | { error: string } {
  const run = spawnSync(python, [script, ...args], {
    encoding: 'utf8',
    timeout: options.timeoutMs,
    env: options.env,
    maxBuffer: 16 * 1024 * 1024
  })
  const line = run.stdout?.trim().split('\n').pop() ?? ''
  if (run.status !== 0 || !line.startsWith('{'))
    return {
      error:
        `${python} ${script} failed (${run.error?.message ?? `exit ${run.status}`}): ` +
        (run.stderr?.trim().split('\n').slice(-10).join('\n') || 'no output')
    }
  return { report: JSON.parse(line) as T }
}
