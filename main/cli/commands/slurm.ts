/** `dgmw slurm profile add|list|test|remove`: the Slurm profiles runs and experiments run on. */
import { resolve } from 'node:path'
import type { SlurmProfile, SlurmProfileInput } from '../../../preload/contract'
import { UserError } from '../../platform/userError'
import { type CommandContext, wholeNumber } from '../context'
import { formatTable, note, printJson } from '../output'
import { withClient } from '../workbenchClient'
import { validOptions } from './generativeOptions'
import { slurmProfileSchema } from '../../../preload/contract'

export const slurmHelp = `dgmw slurm profile add NAME --shared-folder DIR [--partition P] [--account A]
           [--qos Q] [--gpus N] [--gpu-type T] [--cpus N] [--memory MiB|16G] [--time MIN|H:MM:SS]
           [--signal-seconds S] [--sbatch=OPTION]… [--setup LINE]… [--launch COMMAND]
           [--node-backend B] [--json]
  Add (or replace) a profile: what each job asks Slurm for, the folder this machine and the
  compute nodes share (run folders, the dataset caches, logs), the shell lines a node runs
  first (--setup 'module load nodejs/20') and how it starts this same version of dgmw
  (--launch 'node /shared/dgm-workbench/bin/dgmw.cjs'; default: this machine's).
  Before the time limit a job stops at its checkpoint and requeues itself (--signal-seconds,
  default 120), so a run longer than the limit goes on in the next job. Options of sbatch
  itself go with an equals sign, one per flag: --sbatch=--constraint=a100.
dgmw slurm profile list [--json]
dgmw slurm profile test NAME [--json]
  Submit a tiny job on the profile: where it ran, and whether the node runs this version.
dgmw slurm profile remove NAME`

/** Minutes from `90`, `1:30:00` or `2-00:00:00` (Slurm's own time formats). */
export function minutesOf(text: string): number {
  const days = /^(\d+)-(.*)$/.exec(text)
  const [d, rest] = days ? [Number(days[1]), days[2]] : [0, text]
  const parts = rest.split(':').map(Number)
  if (parts.some((p) => !Number.isInteger(p) || p < 0) || parts.length > 3)
    throw new UserError(`--time takes minutes or H:MM:SS, not "${text}".`)
  const [h, m, s] =
    parts.length === 1 ? [0, parts[0], 0] : parts.length === 2 ? [parts[0], parts[1], 0] : parts
  return d * 1440 + h * 60 + m + Math.ceil(s / 60)
}

/** MiB from `16384`, `16G` or `512M`. */
export function mebibytesOf(text: string): number {
  const match = /^(\d+)([MGT]?)$/i.exec(text.trim())
  if (!match) throw new UserError(`--memory takes MiB or a size such as 16G, not "${text}".`)
  const scale = { '': 1, M: 1, G: 1024, T: 1024 * 1024 }[
    match[2].toUpperCase() as '' | 'M' | 'G' | 'T'
  ]
  return Number(match[1]) * scale
}

function profileOf(ctx: CommandContext, name: string): SlurmProfileInput {
  const v = ctx.values
  const text = (flag: string): string | undefined => v[flag] as string | undefined
  // Repeatable flags (`multiple` in the option table) arrive as lists.
  const list = (flag: string): string[] | undefined =>
    (v as Record<string, unknown>)[flag] as string[] | undefined
  const int = (flag: string): number | undefined => wholeNumber(text(flag), flag)
  const shared = text('shared-folder')
  if (!shared)
    throw new UserError(
      'Say which folder this machine and the compute nodes share: --shared-folder DIR.'
    )
  const input = {
    name,
    sharedFolder: resolve(shared),
    partition: text('partition'),
    account: text('account'),
    qos: text('qos'),
    gpus: int('gpus'),
    gpuType: text('gpu-type'),
    cpus: int('cpus'),
    memoryMiB: text('memory') === undefined ? undefined : mebibytesOf(text('memory')!),
    timeLimitMinutes: text('time') === undefined ? undefined : minutesOf(text('time')!),
    signalSeconds: int('signal-seconds'),
    extraSbatch: list('sbatch'),
    setup: list('setup'),
    launch: text('launch'),
    backend: text('node-backend')
  }
  return validOptions(slurmProfileSchema.safeParse(input))
}

function printProfiles(ctx: CommandContext, profiles: SlurmProfile[]): void {
  if (ctx.json) return printJson({ profiles })
  if (profiles.length === 0)
    return console.log(
      'No Slurm profiles yet. Add one with `dgmw slurm profile add NAME --shared-folder DIR`.'
    )
  console.log(
    formatTable(
      ['name', 'partition', 'gpus', 'cpus', 'memory', 'time', 'shared folder'],
      profiles.map((p) => [
        p.name,
        p.partition ?? '(default)',
        String(p.gpus),
        String(p.cpus),
        `${p.memoryMiB} MiB`,
        `${p.timeLimitMinutes} min`,
        p.sharedFolder
      ])
    )
  )
}

export async function slurmCommand(ctx: CommandContext): Promise<number> {
  const [group, action, name] = ctx.positionals
  if (group !== 'profile' || !['add', 'list', 'test', 'remove'].includes(action ?? ''))
    throw new UserError('Usage: dgmw slurm profile add|list|test|remove (see `dgmw slurm --help`).')
  if (action !== 'list' && !name)
    throw new UserError(`Say which profile: dgmw slurm profile ${action} NAME.`)
  return withClient(ctx, async (client) => {
    if (action === 'list') printProfiles(ctx, await client.request('cluster/profiles'))
    else if (action === 'add') {
      const saved = await client.request('cluster/saveProfile', profileOf(ctx, name))
      if (ctx.json) printJson(saved)
      else
        note(
          `Saved Slurm profile ${saved.name}; check it with \`dgmw slurm profile test ${saved.name}\`.`
        )
    } else if (action === 'remove') {
      await client.request('cluster/deleteProfile', { name })
      note(`Removed Slurm profile ${name}.`)
    } else {
      note(`Submitting a test job on profile ${name}…`)
      const report = await client.request('cluster/testProfile', { name })
      if (ctx.json) printJson(report)
      else if (report.ok)
        console.log(
          `Profile ${name} works: job ${report.jobId} ran on ${report.node} with DGM Workbench ` +
            `${report.nodeVersion} (${report.seconds.toFixed(1)} s from submission to its end).`
        )
      else console.log(`Profile ${name} does not work yet: ${report.problem}`)
      return report.ok ? 0 : 1
    }
    return 0
  })
}
