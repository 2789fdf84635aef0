/** `dgmw bench generative`: DCGAN and VAE training images/s against their PyTorch twins. */
import { availableParallelism } from 'node:os'
import { runGenerativeBench, type GenerativeBenchResult } from '../../../bench/generativeBench'
import { findTorchPython, missingTorchMessage } from '../../../bench/pytorchReference'
import type { CommandContext } from '../../context'
import { formatTable, note, printJson } from '../../output'
import { parseSteps, rate, ratio, times } from './format'
import { busyCores, busyMachineWarning, machineOf, type BenchMachine } from './machine'

/** `dgmw bench generative --json`: the bench's result plus the machine it ran on. */
export interface GenerativeBenchReport extends GenerativeBenchResult {
  machine: BenchMachine
}

export async function generativeBenchCommand(ctx: CommandContext): Promise<number> {
  const steps = parseSteps(ctx.values.steps)
  const busy = await busyCores()
  const threads = availableParallelism()
  const { python, tried } = findTorchPython()
  const result = await runGenerativeBench({
    backend: ctx.backend,
    python,
    pythonError: missingTorchMessage(tried),
    threads,
    steps,
    onNote: note
  })
  const report: GenerativeBenchReport = {
    machine: machineOf(threads, busy),
    ...result
  }
  if (ctx.json) printJson(report)
  else console.log(describe(report))
  // A reference that is missing (no script, no torch) is explained, not a failure; one that ran
  // and broke is.
  const failed = report.rows.some(
    (r) => r.workbenchError || (r.referenceError && !report.referenceError)
  )
  return failed ? 1 : 0
}

function describe(report: GenerativeBenchReport): string {
  const rows: string[][] = []
  for (const r of report.rows) {
    const w = r.workbench
    rows.push([
      r.model,
      w ? `workbench (${w.backend})` : 'workbench',
      w ? String(w.threads) : '-',
      w ? rate(w.imagesPerSecond) : 'failed',
      w ? w.peakRssMiB.toFixed(0) : '-',
      ''
    ])
    for (const t of r.references)
      rows.push([
        '',
        `PyTorch ${report.reference?.torch ?? ''}`.trim(),
        String(t.threads),
        rate(t.imagesPerSecond) + (t.timedSteps < report.steps ? ` (${t.timedSteps} steps)` : ''),
        t.peakRssMiB.toFixed(0),
        times(w ? ratio(w.imagesPerSecond, t.imagesPerSecond) : null) +
          (t === r.reference && r.references.length > 1 ? ' (faster PyTorch)' : '')
      ])
  }
  const lines = [
    `Generative training throughput, 28×28×1, batch ${report.batchSize}, ${report.steps} timed steps after ${report.warmupSteps} warm-up, on ${report.machine.cpu} (${report.machine.threads} threads), Node ${report.machine.node}`,
    '',
    formatTable(['model', 'side', 'threads', 'train img/s', 'peak MiB', 'workbench ÷ this'], rows),
    '',
    `Ratio to the faster PyTorch: ${report.rows.map((r) => `${r.model} ${times(r.ratio)}`).join(', ')}. No target was set for these models.`
  ]
  for (const r of report.rows) {
    if (r.workbenchError) lines.push(`  ${r.model}: the workbench failed: ${r.workbenchError}`)
    if (r.referenceError) lines.push(`  ${r.model}: no PyTorch reference: ${r.referenceError}`)
    if (r.workbench && !r.workbench.warmupExcluded)
      lines.push(`  ${r.model}: too few steps to leave the warm-up out of the workbench figure`)
  }
  const busyWarning = busyMachineWarning(report.machine)
  if (busyWarning) lines.push(busyWarning)
  return lines.join('\n')
}
