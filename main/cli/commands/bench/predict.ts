/** `dgmw bench predict`: predicting the Fashion-MNIST test PNGs, and both exports, against PIL + PyTorch. */
import { runPredictBench } from '../../../bench/predictBench'
import { findPython } from '../../../bench/pytorchReference'
import type { CommandContext } from '../../context'
import { formatTable, note, printJson } from '../../output'

export async function predictBenchCommand(ctx: CommandContext): Promise<number> {
  const result = await runPredictBench(findPython('PIL, numpy, torch').python, note)
  if (ctx.json) {
    printJson(result)
    return 0
  }
  const rate = (r: { seconds: number; imagesPerSecond: number }): string[] => [
    r.seconds.toFixed(2),
    Math.round(r.imagesPerSecond).toString()
  ]
  const rows = [
    [
      `workbench, from the run (${result.backend})`,
      ...rate(result.workbench.byRun),
      `${result.workbench.threads} threads`
    ],
    [
      'workbench, from the TF.js export',
      ...rate(result.workbench.byExport),
      `${result.workbench.threads} threads`
    ]
  ]
  if (result.reference)
    rows.push([
      `PIL ${result.reference.pil} + PyTorch ${result.reference.torch}`,
      ...rate(result.reference),
      `${result.reference.workers} processes`
    ])
  console.log(`Predicting ${result.images} Fashion-MNIST PNG files (decode, reference CNN, top-5):`)
  console.log(formatTable(['', 'seconds', 'images/s', 'parallelism'], rows))
  for (const e of result.exports)
    console.log(
      `export ${e.format}: ${e.seconds.toFixed(2)} s with its check (max |Δ| ${e.maxDifference.toExponential(1)}), ${(e.bytes / 1e6).toFixed(2)} MB`
    )
  console.log(
    result.ratio === null
      ? `No reference: ${result.referenceError}`
      : `Ratio ${result.ratio.toFixed(2)}× (target ≥ ${result.target}×)`
  )
  return 0
}
