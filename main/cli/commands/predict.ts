import { resolve } from 'node:path'
import { writeFileAtomic } from '../../platform/atomicWrite'
import type { PredictReport } from '../../../preload/contract'
import { predictionsCsv } from '../../../preload/predictionsCsv'
import { UserError } from '../../platform/userError'
import type { CommandContext } from '../context'
import { formatTable, note, printablePath, printJson } from '../output'
import { withEngine } from '../workbenchClient'

export const predictHelp = `dgmw predict <run|exported-dir> <paths…> [--top-k K] [--json|--csv [FILE]]
  Predict the class of image files and folders (searched recursively) with a run's weights or
  an exported folder (TF.js or ONNX), decoding and resizing them as the training images were. Prints a
  table (or JSON, or CSV on stdout or to FILE) in input order; files that cannot be predicted
  are listed with the reason.`

export async function predictCommand(ctx: CommandContext): Promise<number> {
  const [model, ...paths] = ctx.positionals
  if (!model || paths.length === 0)
    throw new UserError(
      'Say what predicts and what to predict: `dgmw predict <run|exported-dir> <paths…>`.'
    )
  const topKText = (ctx.values['top-k'] as string | undefined) ?? '5'
  if (!/^\d+$/.test(topKText) || Number(topKText) < 1)
    throw new UserError(`--top-k takes a whole number of at least 1, not "${topKText}".`)
  const topK = Number(topKText)
  return withEngine(ctx, async (client) => {
    const report = await client.request('predict/images', {
      source: /^\d+$/.test(model) ? { runId: Number(model) } : { exportDir: resolve(model) },
      paths: paths.map((p) => resolve(p)),
      // The contract's ceiling (a model with more classes than that lists its top 100).
      topK: Math.min(topK, 100)
    })
    const csv = ctx.values.csv as string | undefined
    if (ctx.json)
      printJson({
        labels: report.labels,
        predictions: report.predictions,
        skipped: report.skipped,
        ...(report.outOfDistribution ? { outOfDistribution: report.outOfDistribution } : {})
      })
    else {
      if (csv === '-') process.stdout.write(predictionsCsv(report.predictions, topK))
      else printTable(report)
      if (csv && csv !== '-')
        writeFileAtomic(csv, Buffer.from(predictionsCsv(report.predictions, topK)))
      for (const s of report.skipped)
        note(`skipped ${printablePath(s.path)}: ${s.reason} (${s.detail})`)
      note(
        `${report.predictions.length} predicted, ${report.skipped.length} skipped` +
          (csv && csv !== '-' ? `; CSV in ${csv}` : '')
      )
    }
    return 0
  })
}

function printTable(report: PredictReport): void {
  const rows = report.predictions.map((p) => [
    printablePath(p.path),
    p.top1,
    `${(p.probability * 100).toFixed(1)}%`,
    p.topK
      .slice(1, 3)
      .map((t) => `${t.label} ${(t.probability * 100).toFixed(1)}%`)
      .join(', '),
    p.outOfDistribution ? 'out-of-distribution' : ''
  ])
  if (rows.length > 0) console.log(formatTable(['file', 'class', 'probability', 'next', ''], rows))
}
