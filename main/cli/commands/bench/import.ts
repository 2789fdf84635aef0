/** `dgmw bench import`: importing 70,000 Fashion-MNIST PNGs against PIL + numpy. */
import { runImportBench } from '../../../bench/importBench'
import { findPython } from '../../../bench/pytorchReference'
import type { CommandContext } from '../../context'
import { formatTable, note, printJson } from '../../output'

export async function importBenchCommand(ctx: CommandContext): Promise<number> {
  const result = await runImportBench(findPython('PIL, numpy').python, note)
  if (ctx.json) printJson(result)
  else {
    const rows = [
      [
        'workbench (sharp/libvips)',
        result.workbench.seconds.toFixed(1),
        Math.round(result.workbench.imagesPerSecond).toString(),
        `${result.workbench.threads} threads`
      ]
    ]
    if (result.reference)
      rows.push([
        `PIL ${result.reference.pil} + numpy`,
        result.reference.seconds.toFixed(1),
        Math.round(result.reference.imagesPerSecond).toString(),
        `${result.reference.workers} processes`
      ])
    console.log(`Import of ${result.images} Fashion-MNIST PNGs (decode, resize to 28×28, cache):`)
    console.log(formatTable(['', 'seconds', 'images/s', 'parallelism'], rows))
    console.log(
      result.ratio === null
        ? `No reference: ${result.referenceError}`
        : `Ratio ${result.ratio.toFixed(2)}× (target ≥ ${result.target}×)`
    )
  }
  return 0
}
