import type { Evaluation } from '../../../preload/contract'
import { UserError } from '../../platform/userError'
import type { CommandContext } from '../context'
import { formatTable, printJson } from '../output'
import { withEngine } from '../workbenchClient'

export const evalHelp = `dgmw eval <run> [--json]
  Evaluate a run's saved weights on its dataset's test split: accuracy, per-class precision,
  recall, F1 and support, and the confusion matrix (rows: true class, columns: predicted).`

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`

function describe(e: Evaluation): string {
  return [
    `Run ${e.runId}: accuracy ${pct(e.accuracy)} on ${e.count} test images, loss ${e.loss.toFixed(4)}`,
    formatTable(
      ['class', 'precision', 'recall', 'f1', 'support'],
      [
        ...e.perClass.map((c) => [
          c.label,
          pct(c.precision),
          pct(c.recall),
          pct(c.f1),
          String(c.support)
        ]),
        ['macro avg', pct(e.macro.precision), pct(e.macro.recall), pct(e.macro.f1), String(e.count)]
      ]
    ),
    'Confusion matrix (rows: true, columns: predicted):',
    formatTable(
      ['', ...e.labels.map((_, i) => String(i))],
      e.confusion.map((row, i) => [`${i} ${e.labels[i]}`, ...row.map(String)])
    )
  ].join('\n')
}

export async function evalCommand(ctx: CommandContext): Promise<number> {
  const [given, ...extra] = ctx.positionals
  if (!given || extra.length > 0 || !/^\d+$/.test(given))
    throw new UserError('Give one run id: dgmw eval <run> (see `dgmw runs`).')
  return withEngine(ctx, async (client) => {
    const evaluation = await client.request('runs/evaluate', { id: Number(given) })
    if (ctx.json) {
      const { runId, accuracy, loss, count, labels, confusion, perClass, macro } = evaluation
      printJson({ runId, accuracy, loss, count, labels, confusion, perClass, macro })
    } else console.log(describe(evaluation))
    return 0
  })
}
