import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import type { EventPayload, ImportReport } from '../../../preload/contract'
import { UserError } from '../../platform/userError'
import { formatTable, printablePath, printJson, progressWriter } from '../output'
import type { CommandContext } from '../context'
import { withClient } from '../workbenchClient'

export const importHelp = `dgmw import <path> [--name N] [--size S] [--channels 1|3] [--fit cover|contain]
            [--unlabeled] [--seed N] [--reimport] [--json]
  Import an image folder (one subfolder per class, optional train/ test/ val/), an unlabelled
  folder, IDX files (MNIST, Fashion-MNIST) or CIFAR-10/100 batches. Every file is imported or
  listed with the reason it was skipped. Originals are only read. A folder imported before is
  refused (it names the dataset to use); --reimport imports it again as a new dataset.`

function progressLine(p: EventPayload<'import/progress'>): string {
  const eta = p.etaSeconds === null ? '' : `, ${Math.ceil(p.etaSeconds)} s left`
  const width = 24
  const filled = p.total ? Math.round((p.done / p.total) * width) : 0
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} images, ${Math.round(p.imagesPerSecond)}/s${eta}`
}

function describe(report: ImportReport): string {
  const d = report.dataset
  const lines = [
    `Imported ${report.imported} images as dataset ${d.id} "${d.name}" (${d.kind}, ${d.size}×${d.size}×${d.channels})`,
    `Splits: ${report.splits.train} train, ${report.splits.val} validation, ${report.splits.test} test`
  ]
  if (report.classes.length > 0)
    lines.push(
      formatTable(
        ['class', 'images'],
        report.classes.map((c) => [c.name, String(c.count)])
      )
    )
  if (report.skipped.length > 0) {
    lines.push(`Skipped ${report.skipped.length} file(s):`)
    for (const s of report.skipped.slice(0, 50))
      lines.push(`  ${s.reason.padEnd(10)} ${printablePath(s.path)} — ${s.detail}`)
    if (report.skipped.length > 50)
      lines.push(`  … and ${report.skipped.length - 50} more (--json lists them all)`)
  }
  for (const group of report.duplicates)
    lines.push(
      `Duplicate${group.sameClass ? ' (one copy used)' : 's with conflicting labels (none used)'}: ${group.paths.join(', ')}`
    )
  for (const w of report.warnings) lines.push(`Warning: ${w}`)
  return lines.join('\n')
}

function intOption(value: string | boolean | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n)) throw new UserError(`${flag} must be a whole number, not "${value}".`)
  return n
}

export async function importCommand(ctx: CommandContext): Promise<number> {
  const [path, ...extra] = ctx.positionals
  if (!path || extra.length > 0)
    throw new UserError('Give exactly one path to import: dgmw import <folder-or-file>.')
  const channels = intOption(ctx.values.channels, '--channels')
  if (channels !== undefined && channels !== 1 && channels !== 3)
    throw new UserError('--channels must be 1 (grey) or 3 (RGB).')
  const fit = ctx.values.fit as string | undefined
  if (fit !== undefined && fit !== 'cover' && fit !== 'contain')
    throw new UserError('--fit must be cover or contain.')
  const size = intOption(ctx.values.size, '--size')
  if (size !== undefined && (size < 8 || size > 512))
    throw new UserError(`Size must be a whole number of pixels from 8 to 512, not ${size}.`)
  const source = resolve(path)
  return withClient(ctx, async (client) => {
    const existing = (await client.request('datasets/findImported', { path: source })).dataset
    if (existing && ctx.values.reimport !== true)
      throw new UserError(
        `${source} is already imported as dataset ${existing.id} "${existing.name}" (${existing.imageCount} images). Use it as it is (e.g. \`dgmw train --dataset ${existing.id}\`), or import the folder again as a new dataset with \`dgmw import ${path} --reimport\`.`,
        'conflict'
      )
    const progress = progressWriter()
    const importId = randomUUID()
    const unsubscribe = client.on('import/progress', (p) => {
      if (p.importId === importId) progress.update(progressLine(p), p.done === p.total)
    })
    let report: ImportReport
    try {
      report = await client.request('datasets/import', {
        path: source,
        importId,
        name: ctx.values.name as string | undefined,
        size,
        channels: channels as 1 | 3 | undefined,
        fit: fit as 'cover' | 'contain' | undefined,
        unlabelled: ctx.values.unlabeled === true,
        seed: intOption(ctx.values.seed, '--seed'),
        onExisting: ctx.values.reimport === true ? 'reimport' : undefined
      })
    } finally {
      unsubscribe()
    }
    progress.end()
    if (ctx.json) printJson(report)
    else console.log(describe(report))
    return 0
  })
}
