/** `dgmw bench [benchmark]`: the help for every benchmark, and which one runs. */
import { cnnBenchDefaults } from '../../../bench/cnnBench'
import { generativeBenchDefaults } from '../../../bench/generativeBench'
import type { CommandContext } from '../../context'
import { accuracyBenchCommand } from './accuracy'
import { backendsBenchCommand, cpuBenchSteps } from './backends'
import { generativeBenchCommand } from './generative'
import { importBenchCommand } from './import'
import { labelBudgetBenchCommand, labelBudgetBenchHelp } from './labelBudget'
import { predictBenchCommand } from './predict'

export const benchHelp = `dgmw bench [import|accuracy|generative|label-budget|predict] [--backend B] [--steps N] [--json]
${labelBudgetBenchHelp}
  \`dgmw bench import\`: time importing 70,000 Fashion-MNIST PNGs against PIL + numpy.
  \`dgmw bench predict\`: time predicting the 10,000 Fashion-MNIST test PNGs (from a run and from
  its TF.js export) against PIL + PyTorch, and time both exports with their checks.
  \`dgmw bench generative\`: DCGAN and VAE training images/s (28x28x1, batch 64) through the engine
  against PyTorch twins of the same networks (bench/reference/dcgan_torch.py) on all cores and on
  one thread, model by model; --steps sets the timed steps (default ${generativeBenchDefaults.steps},
  plus a tenth as warm-up).
  \`dgmw bench accuracy\`: time to 90% test accuracy on Fashion-MNIST against the PyTorch reference
  recipe (reference CNN, Adam 1e-3, batch 64), both on all cores, one after the other.
  Train and run the reference CNN (28x28x1, batch 64, Adam) on every tensor backend that loads,
  each in its own process, and on PyTorch (when python3 can import torch) with as many threads as
  the machine has; print images/s and peak memory side by side. --steps sets the timed training
  steps (default ${cnnBenchDefaults.steps}; the pure-JS cpu backend, at a few images/s, runs ${cpuBenchSteps.steps}
  unless given --backend cpu --steps N).
  Set DGMW_PYTHON to the Python to use for the reference. Exits 1 when a measurement failed.`

const benches: Record<string, (ctx: CommandContext) => Promise<number>> = {
  import: importBenchCommand,
  accuracy: accuracyBenchCommand,
  generative: generativeBenchCommand,
  'label-budget': labelBudgetBenchCommand,
  predict: predictBenchCommand
}

export function benchCommand(ctx: CommandContext): Promise<number> {
  const named = ctx.positionals[0]
  // Anything else (nothing, or an unrecognised word) benches every backend.
  const bench = named !== undefined && Object.hasOwn(benches, named) ? benches[named] : undefined
  return (bench ?? backendsBenchCommand)(ctx)
}
