import { runStatuses, type ClusterJob, type RunStatus } from '../../../preload/contract'
import { UserError } from '../../platform/userError'
import { formatSeconds, formatTable, printJson } from '../output'
import type { CommandContext } from '../context'
import { withClient } from '../workbenchClient'

export const runsHelp = `dgmw runs [--status S] [--limit N] [--json]
  List runs in the run history, newest first.`

/** `here`, or a cluster job as Slurm last described it: `slurm:gpu 1234_5 PENDING (Resources)`. */
export function whereText(job: ClusterJob | undefined): string {
  if (!job) return 'here'
  const detail =
    job.state === 'PENDING' && job.reason
      ? ` (${job.reason})`
      : job.state === 'RUNNING' && job.node
        ? ` on ${job.node}`
        : ''
  return `slurm:${job.profile} ${job.jobId ?? '(submitting)'} ${job.state ?? ''}${detail}`.trim()
}

export function runsCommand(ctx: CommandContext): Promise<void> {
  const status = ctx.values.status as string | undefined
  if (status !== undefined && !(runStatuses as readonly string[]).includes(status)) {
    throw new UserError(`Unknown status "${status}". Use one of: ${runStatuses.join(', ')}.`)
  }
  const limit = ctx.values.limit === undefined ? 500 : Number(ctx.values.limit)
  if (!Number.isInteger(limit) || limit < 1)
    throw new UserError(`--limit must be a positive whole number, not "${ctx.values.limit}".`)
  return withClient(ctx, async (client) => {
    const { dataDir } = await client.request('app/info')
    const runs = await client.request('runs/list', {
      status: status as RunStatus | undefined,
      // The contract lists at most 100,000 runs at a time.
      limit: Math.min(limit, 100_000)
    })
    if (ctx.json) {
      printJson({ dataDir, runs })
      return
    }
    if (runs.length === 0) {
      console.log(`No runs yet in ${dataDir}. Start one from the app, or with \`dgmw train\`.`)
      return
    }
    const percent = (x: number | undefined): string =>
      x === undefined ? '-' : `${(100 * x).toFixed(1)}%`
    const duration = (r: (typeof runs)[number]): string =>
      r.startedAt && r.endedAt
        ? formatSeconds((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000)
        : '-'
    console.log(
      formatTable(
        [
          'id',
          'status',
          'recipe',
          'dataset',
          'name',
          'epochs',
          'val acc',
          'test acc',
          'FD',
          'duration',
          'backend',
          'where',
          'created'
        ],
        runs.map((r) => [
          String(r.id),
          r.status,
          r.recipe,
          r.datasetName ?? '-',
          r.name ?? '-',
          r.headline.epochs ? `${r.headline.epochsDone ?? 0}/${r.headline.epochs}` : '-',
          percent(r.headline.valAccuracy),
          percent(r.headline.testAccuracy),
          // FD (dataset classifier) of a generative run, lower is better, and which classifier
          // run measured it: FDs by different evaluators are not comparable.
          r.headline.fd === undefined
            ? '-'
            : r.headline.fd.toFixed(1) +
              (r.headline.evaluatorRunId === undefined
                ? ''
                : ` (by #${r.headline.evaluatorRunId})`),
          duration(r),
          r.backend ?? '-',
          whereText(r.headline.cluster),
          r.createdAt.slice(0, 19).replace('T', ' ')
        ])
      )
    )
  })
}
