/**
 * What a compute node trains: `spec.json` in the run's folder on the shared filesystem, the
 * engine's own job description with every path moved into the shared folder, plus the version of
 * the workbench that wrote it (the node must run the same one).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BackendName } from '../../preload/contract'
import type { AnyTrainSpec } from '../engine/engineMessages'
import { writeFileAtomic } from '../platform/atomicWrite'
import { UserError } from '../platform/userError'
import { stageFile, stageFolder } from './sharedFolder'

export interface RunSpecFile {
  format: typeof runSpecFormat
  runId: number
  /** The codeVersion (app version, plus git commit in a checkout) of the workbench that wrote it. */
  version: string
  /** The profile's backend, when it names one (else the node chooses, as `--backend auto`). */
  backend?: BackendName
  spec: AnyTrainSpec
}

const runSpecFormat = 'dgmw-run-spec/1'

export const specFile = (runFolder: string): string => join(runFolder, 'spec.json')

/**
 * The spec as a node reads it: the image cache, a generator's or evaluator's weights and a model
 * to fine-tune from are copied to the shared folder (once, by content), and the run writes its
 * checkpoints and samples into its folder there.
 */
export async function stageSpec(
  spec: AnyTrainSpec,
  shared: string,
  runFolder: string
): Promise<AnyTrainSpec> {
  const staged = structuredClone(spec)
  staged.checkpointDir = runFolder
  if (staged.data.kind === 'dataset') {
    staged.data.cacheFile = await stageFile(shared, staged.data.cacheFile)
    const generated = staged.data.generated
    if (generated)
      generated.model.checkpointFile = await stageFile(shared, generated.model.checkpointFile)
  }
  if ('evaluator' in staged && staged.evaluator)
    staged.evaluator.checkpointFile = await stageFile(shared, staged.evaluator.checkpointFile)
  if ('initFrom' in staged.config && typeof staged.config.initFrom === 'string')
    staged.config.initFrom = await stageFolder(shared, staged.config.initFrom)
  return staged
}

export function writeRunSpec(runFolder: string, file: Omit<RunSpecFile, 'format'>): void {
  writeFileAtomic(specFile(runFolder), JSON.stringify({ format: runSpecFormat, ...file }))
}

export function readRunSpec(file: string): RunSpecFile {
  let parsed: Partial<RunSpecFile>
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunSpecFile>
  } catch (error) {
    throw new UserError(
      `Cannot read the run spec ${file}: ${(error as Error).message}. It is written by the ` +
        'workbench when it submits a run; submit the run again.'
    )
  }
  if (parsed.format !== runSpecFormat || !parsed.spec || typeof parsed.version !== 'string')
    throw new UserError(
      `${file} is not a run spec this workbench reads (format ${String(parsed.format)}, this ` +
        `one reads ${runSpecFormat}); the node may run a different version than the submitter.`
    )
  return parsed as RunSpecFile
}

/**
 * Why a node's version may not train a spec, or null. The app versions must agree; so must the
 * git commits when both sides run from a checkout (an installed package has none to compare).
 */
export function versionProblem(submitted: string, here: string): string | null {
  const [submittedApp, submittedCommit] = submitted.split('+')
  const [app, commit] = here.split('+')
  if (submittedApp === app && (!submittedCommit || !commit || submittedCommit === commit))
    return null
  return (
    `This run was submitted by DGM Workbench ${submitted}, but the compute node runs ` +
    `${here}. Dataset, engine and recipe code must be the same on both sides: make the profile's ` +
    'launch command start the same version (update the checkout or package on the cluster, or ' +
    'set `--launch`), then resume the run.'
  )
}
