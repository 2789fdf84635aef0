import { resolve } from 'node:path'
import { UserError } from '../../platform/userError'
import { wholeNumber, type CommandContext } from '../context'
import { note, printJson } from '../output'
import { withEngine } from '../workbenchClient'

export const sampleHelp = `dgmw sample <run> [--n N] [--class C] [--seed S] [--interpolate] --out <file.png|dir>
  Generate N images (default 64) from a generative run's latest weights, the same for the
  same seed. --out file.png writes one grid; --out dir writes an ImageFolder (one folder per
  class) that \`dgmw import\` reads back as a synthetic dataset. --class picks the class of a
  conditional run (cgan, acgan, cvae); --interpolate walks between two latent codes.`

export async function sampleCommand(ctx: CommandContext): Promise<number> {
  const [runText] = ctx.positionals
  const runId = wholeNumber(runText, 'run')
  if (runId === undefined)
    throw new UserError('Say which run: `dgmw sample <run> --out <file.png|dir>`.')
  const out = ctx.values.out as string | undefined
  if (!out) throw new UserError('Say where to write: --out grid.png (one grid) or --out <folder>.')
  return withEngine(ctx, async (client) => {
    const written = await client.request('runs/saveSamples', {
      id: runId,
      n: wholeNumber(ctx.values.n, 'n') ?? 64,
      classLabel: wholeNumber(ctx.values.class, 'class'),
      seed: wholeNumber(ctx.values.seed, 'seed') ?? 0,
      interpolate: ctx.values.interpolate === true,
      out: resolve(out)
    })
    if (ctx.json) printJson(written)
    else note(`Wrote ${written.files} file${written.files === 1 ? '' : 's'} to ${written.path}`)
    return 0
  })
}
