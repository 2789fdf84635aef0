import type { Client } from '../../../preload/client'
import type { DatasetSummary } from '../../../preload/contract'
import { UserError } from '../../platform/userError'
import { formatTable, printJson } from '../output'
import type { CommandContext } from '../context'
import { withClient } from '../workbenchClient'

export const datasetsHelp = `dgmw datasets [--json]
  List imported datasets: id, name, kind, images, classes, size.
dgmw datasets rename <id> <name> [--json]
  Give a dataset another name (its runs show the new one).
dgmw datasets delete <id> [--json]
  Delete a dataset and its cached pixels. Runs that used it keep their results and show
  "name (deleted)"; they cannot train again. The original images are not touched.`

function datasetId(text: string | undefined, usage: string): number {
  if (!text || !/^\d+$/.test(text))
    throw new UserError(`Say which dataset by its id: ${usage} (list them with \`dgmw datasets\`).`)
  return Number(text)
}

/** Runs a dataset deletion counts: every one the contract lists. */
const runListLimit = 100_000

/** The dataset as `datasets` lists it, taken before it is deleted, for the report. */
async function listedDataset(client: Client, id: number): Promise<DatasetSummary> {
  const listed = (await client.request('datasets/list')).find((d) => d.id === id)
  if (listed) return listed
  // Not listed: asking for it fails with the store's reason (no such id, or deleted on which day).
  await client.request('datasets/get', { id })
  throw new UserError(
    `Dataset ${id} does not exist. List datasets with \`dgmw datasets\`.`,
    'not-found'
  )
}

function listDatasets(ctx: CommandContext): Promise<void> {
  return withClient(ctx, async (client) => {
    const { dataDir } = await client.request('app/info')
    const datasets = await client.request('datasets/list')
    if (ctx.json) printJson({ dataDir, datasets })
    else if (datasets.length === 0)
      console.log(`No datasets yet in ${dataDir}. Import one with \`dgmw import <folder>\`.`)
    else {
      const size = (d: (typeof datasets)[number]): string =>
        d.width ? `${d.width}×${d.height}×${d.channels}` : '-'
      console.log(
        formatTable(
          ['id', 'name', 'kind', 'images', 'classes', 'size'],
          datasets.map((d) => [
            String(d.id),
            d.name,
            d.kind,
            String(d.imageCount),
            String(d.classNames.length),
            size(d)
          ])
        )
      )
    }
  })
}

function renameDataset(ctx: CommandContext): Promise<void> {
  const [, idText, name, ...extra] = ctx.positionals
  const usage = '`dgmw datasets rename <id> <name>`'
  const id = datasetId(idText, usage)
  if (!name || extra.length > 0)
    throw new UserError(`Give the new name as one argument (quote it if it has spaces): ${usage}.`)
  return withClient(ctx, async (client) => {
    const before = (await client.request('datasets/get', { id })).name
    const dataset = await client.request('datasets/rename', { id, name })
    if (ctx.json) printJson({ dataset, previousName: before })
    else console.log(`Dataset ${id} "${before}" is now "${dataset.name}".`)
  })
}

function deleteDataset(ctx: CommandContext): Promise<void> {
  const [, idText, ...extra] = ctx.positionals
  const usage = '`dgmw datasets delete <id>`'
  if (extra.length > 0) throw new UserError(`Delete one dataset at a time: ${usage}.`)
  const id = datasetId(idText, usage)
  return withClient(ctx, async (client) => {
    const runs = (await client.request('runs/list', { limit: runListLimit })).filter(
      (r) => r.datasetId === id
    ).length
    const dataset = await listedDataset(client, id)
    await client.request('datasets/delete', { id })
    if (ctx.json) printJson({ deleted: dataset, runsKept: runs })
    else
      console.log(
        `Deleted dataset ${id} "${dataset.name}" and its cached pixels.` +
          (runs === 1
            ? ` Its run keeps its results and now shows "${dataset.name} (deleted)".`
            : runs > 1
              ? ` Its ${runs} runs keep their results and now show "${dataset.name} (deleted)".`
              : '')
      )
  })
}

export function datasetsCommand(ctx: CommandContext): Promise<void> {
  const [action] = ctx.positionals
  if (action === undefined || action === 'list') return listDatasets(ctx)
  if (action === 'rename') return renameDataset(ctx)
  if (action === 'delete') return deleteDataset(ctx)
  throw new UserError(
    `Unknown datasets action "${action}". Use \`dgmw datasets\`, \`dgmw datasets rename <id> <name>\` or \`dgmw datasets delete <id>\`.`
  )
}
