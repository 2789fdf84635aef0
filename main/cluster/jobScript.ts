/**
 * The batch script of one submission: a job array whose task i trains the run on line i+1 of
 * `runs.txt` (a single run is an array of one, so every job is named and logged the same way).
 */
import type { SlurmProfile } from '../../preload/contract'
import { specFile } from './runSpecFile'
import { shellQuote } from './profiles'

export interface JobScriptInput {
  profile: SlurmProfile
  /** The submission's folder: runs.txt and logs/ are there. */
  batch: string
  /** How to start `dgmw` on the node. */
  launch: string
  name: string
}

export function jobScript({ profile, batch, launch, name }: JobScriptInput): string {
  const gres =
    profile.gpus > 0 ? `gpu:${profile.gpuType ? `${profile.gpuType}:` : ''}${profile.gpus}` : ''
  const options = [
    `--job-name=${name.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 60)}`,
    profile.partition && `--partition=${profile.partition}`,
    profile.account && `--account=${profile.account}`,
    profile.qos && `--qos=${profile.qos}`,
    gres && `--gres=${gres}`,
    '--ntasks=1',
    `--cpus-per-task=${profile.cpus}`,
    `--mem=${profile.memoryMiB}M`,
    `--time=${profile.timeLimitMinutes}`,
    // Before the limit, USR1 to the batch shell (`B:`), which `exec` made the workbench itself:
    // it stops at its checkpoint and requeues the job, which goes on from there.
    `--signal=B:USR1@${profile.signalSeconds}`,
    '--requeue',
    // A requeued attempt appends to its logs instead of overwriting the earlier attempt's.
    '--open-mode=append',
    `--output=${batch}/logs/%a.out`,
    `--error=${batch}/logs/%a.err`,
    ...profile.extraSbatch
  ].filter((o): o is string => Boolean(o))
  return [
    '#!/bin/bash',
    ...options.map((o) => `#SBATCH ${o}`),
    '# Written by DGM Workbench: one run per array task, listed in runs.txt beside this script.',
    'set -eo pipefail',
    ...profile.setup,
    `run_folder=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" ${shellQuote(`${batch}/runs.txt`)})`,
    ...(profile.backend ? [`export DGMW_BACKEND=${profile.backend}`] : []),
    `exec ${launch} train --run-spec "${specFile('$run_folder')}"`,
    ''
  ].join('\n')
}
