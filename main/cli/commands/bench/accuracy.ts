/** `dgmw bench accuracy`: time to 90% test accuracy on Fashion-MNIST against PyTorch's recipe. */
import { availableParallelism } from 'node:os'
import { runAccuracyBench } from '../../../bench/accuracyBench'
import { findTorchPython } from '../../../bench/pytorchReference'
import type { CommandContext } from '../../context'
import { formatTable, note, printJson } from '../../output'

export async function accuracyBenchCommand(ctx: CommandContext): Promise<number> {
  const result = await runAccuracyBench({
    backend: ctx.backend,
    python: findTorchPython().python,
    threads: availableParallelism(),
    onEpoch: note
  })
  if (ctx.json) printJson(result)
  else {
    const side = (
      name: string,
      s: { secondsToTarget: number | null; epochs: { testAccuracy: number }[] },
      recipe: string
    ): string[] => [
      name,
      recipe,
      s.secondsToTarget === null ? 'not reached' : s.secondsToTarget.toFixed(1),
      `${(Math.max(...s.epochs.map((e) => e.testAccuracy)) * 100).toFixed(2)}%`
    ]
    const rows = [
      side(`workbench (${result.workbench.backend})`, result.workbench, result.workbench.recipe)
    ]
    if (result.reference)
      rows.push(
        side(`PyTorch ${result.reference.torch}`, result.reference, result.reference.recipe)
      )
    console.log(`Time to ${result.target * 100}% test accuracy on Fashion-MNIST:`)
    console.log(formatTable(['', 'recipe', 'seconds', 'best test acc'], rows))
    console.log(
      result.ratio === null
        ? `No ratio: ${result.referenceError ?? 'a side did not reach the target'}`
        : `Ratio ${result.ratio.toFixed(2)}× the reference's time (goal ≤ ${result.goal}×)`
    )
  }
  return result.workbench.secondsToTarget === null ? 1 : 0
}
