import { spawnSync } from 'node:child_process'
import { adapterName } from '../../../preload/backendLabel'
import { existsSync } from 'node:fs'
import { availableParallelism, cpus, totalmem } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { dirname, join } from 'node:path'
import { backendNames, type BackendName } from '../../../preload/contract'
import {
  cnnBenchDefaults,
  runCnnBenchInChild,
  softwareAdapterSteps,
  type CnnBenchOptions,
  type CnnBenchResult
} from '../../bench/cnnBench'
import { findPilPython, runImportBench } from '../../bench/importBench'
import { runAccuracyBench } from '../../bench/accuracyBench'
import { runPredictBench } from '../../bench/predictBench'
import { labelBudgetBenchCommand, labelBudgetBenchHelp } from './benchLabelBudget'
import {
  generativeBenchDefaults,
  runGenerativeBench,
  type GenerativeBenchResult
} from '../../bench/generativeBench'
import { backendPackages } from '../../engine/backendProbe'
import { UserError } from '../../platform/userError'
import { formatTable, note, printJson } from '../output'
import type { CommandContext } from '../context'

/** The pure-JS cpu backend trains at a few images/s, so it gets a token run unless forced. */
const cpuBenchSteps = { steps: 3, warmupSteps: 1, inferBatches: 1 }

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

/** What the tfjs side should reach relative to PyTorch on the same machine. */
export const benchTargets = { train: 1.0, infer: 1.5 } as const
/** What a hardware GPU (the `webgpu` rung) should reach: × wasm on the same machine, × PyTorch CPU. */
export const gpuTargets = { trainVsWasm: 10, trainVsPyTorch: 3 } as const

/** The PyTorch reference's own report (bench/reference/cnn_torch.py) plus which Python ran it. */
export interface TorchReference {
  trainImagesPerSecond: number
  inferImagesPerSecond: number
  peakRssMiB: number
  threads: number
  torch: string
  python: string
  steps: number
  warmupSteps: number
  batchSize: number
  inferBatchSize: number
  finalLoss: number
}

export interface BenchRow extends CnnBenchResult {
  /** tfjs ÷ PyTorch throughput; null without a reference or a number. */
  vsPyTorch: { train: number | null; infer: number | null }
  /** Set when the bench process died without a result. */
  error?: string
}

export interface BenchReport {
  machine: {
    cpu: string
    threads: number
    memoryGiB: number
    node: string
    platform: string
    date: string
    /** Cores other processes kept busy in the second before the bench; they skew every number. */
    busyCores: number
  }
  results: BenchRow[]
  reference: TorchReference | null
  /** Why there is no reference, when there is none. */
  referenceError?: string
  targets: typeof benchTargets
}

function parseSteps(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined
  const steps = Number(value)
  if (!Number.isInteger(steps) || steps < 1)
    throw new UserError(`--steps must be a positive whole number, not "${value}".`)
  return steps
}

/** The repository's bench/reference/cnn_torch.py, found from the source or the built bundle. */
function findTorchScript(): string | undefined {
  for (let dir = __dirname, i = 0; i < 6; dir = dirname(dir), i++) {
    const script = join(dir, 'bench', 'reference', 'cnn_torch.py')
    if (existsSync(script)) return script
  }
  return undefined
}

/**
 * The first Python that can import torch. Debian's python3-torch is only visible to
 * /usr/bin/python3, and `python3` on PATH is often a pyenv or venv Python that cannot see it.
 */
export function findTorchPython(): { python?: string; tried: string[] } {
  const candidates = [process.env.DGMW_PYTHON, '/usr/bin/python3', 'python3', 'python']
  const tried: string[] = []
  for (const python of new Set(candidates.filter((c): c is string => !!c))) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 })
    if (probe.status === 0) return { python, tried }
    const why = probe.error
      ? probe.error.message
      : (probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`)
    tried.push(`${python}: ${why}`)
  }
  return { tried }
}

function runTorchReference(
  options: Omit<CnnBenchOptions, 'backend'>,
  threads: number
): { reference: TorchReference } | { error: string; missing: boolean } {
  const script = findTorchScript()
  if (!script)
    return {
      missing: true,
      error: 'bench/reference/cnn_torch.py was not found; it ships with the source checkout.'
    }
  const { python, tried } = findTorchPython()
  if (!python)
    return {
      missing: true,
      error:
        `no Python here can import torch (${tried.join('; ')}). Install PyTorch ` +
        '(Debian: `apt-get install python3-torch`; elsewhere: `pip install torch`) or point ' +
        'DGMW_PYTHON at a Python that has it.'
    }
  const args = [
    script,
    `--threads=${threads}`,
    `--steps=${options.steps}`,
    `--warmup=${options.warmupSteps}`,
    `--batch=${options.batchSize}`,
    `--infer-batch=${options.inferBatchSize}`,
    `--infer-batches=${options.inferBatches}`,
    `--seed=${options.seed}`
  ]
  const run = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })
  const line = run.stdout?.trim().split('\n').pop() ?? ''
  if (run.status !== 0 || !line.startsWith('{'))
    return {
      missing: false,
      error:
        `${python} ${script} failed (${run.error?.message ?? `exit ${run.status}`}): ` +
        (run.stderr?.trim().split('\n').slice(-10).join('\n') || 'no output')
    }
  return { reference: { ...(JSON.parse(line) as Omit<TorchReference, 'python'>), python } }
}

const ratio = (ours: number | null, theirs: number | undefined): number | null =>
  ours === null || !theirs ? null : ours / theirs

const rate = (value: number | null | undefined): string =>
  value === null || value === undefined
    ? '-'
    : value >= 100
      ? Math.round(value).toLocaleString('en-US')
      : value.toFixed(1)

// Two decimals, but tiny ratios (the pure-JS backend) keep two significant digits instead of 0.00.
const times = (value: number | null): string =>
  value === null ? '-' : `${value < 0.1 ? value.toPrecision(2) : value.toFixed(2)}×`

function describe(report: BenchReport): string {
  const { machine, reference } = report
  const measured = report.results.filter((r) => r.loaded && !r.error)
  const rows = measured.map((r) => [
    r.adapter ? `${r.backend} · ${adapterName(r.adapter)}` : r.backend,
    String(r.threads),
    r.trainImagesPerSecond === null ? 'failed' : rate(r.trainImagesPerSecond),
    r.inferImagesPerSecond === null ? 'failed' : rate(r.inferImagesPerSecond),
    r.peakRssMiB.toFixed(0),
    times(r.vsPyTorch.train),
    times(r.vsPyTorch.infer)
  ])
  if (reference)
    rows.push([
      `PyTorch ${reference.torch}`,
      String(reference.threads),
      rate(reference.trainImagesPerSecond),
      rate(reference.inferImagesPerSecond),
      reference.peakRssMiB.toFixed(0),
      '1.00×',
      '1.00×'
    ])
  const lines = [
    `Reference CNN, batch 64, on ${machine.cpu} (${machine.threads} threads, ${machine.memoryGiB} GiB), Node ${machine.node}`,
    '',
    formatTable(
      [
        'backend',
        'threads',
        'train img/s',
        'infer img/s',
        'peak MiB',
        'train vs PyTorch',
        'infer vs PyTorch'
      ],
      rows
    ),
    '',
    `Targets: training ≥ ${report.targets.train.toFixed(1)}× PyTorch, inference ≥ ${report.targets.infer.toFixed(1)}× PyTorch.`
  ]
  if (!reference) lines.push(`No PyTorch reference: ${report.referenceError}`)
  const busyWarning = busyMachineWarning(machine)
  if (busyWarning) lines.push(busyWarning)
  for (const r of measured) {
    if (r.adapter?.software) {
      lines.push(
        `  ${r.backend} ran on ${adapterName(r.adapter)}, a CPU emulation: ${r.steps} steps to show it ` +
          'works; its speed says nothing about a GPU (no target applies).'
      )
      continue
    }
    const missed: string[] = []
    const wasm = measured.find((w) => w.backend === 'wasm')?.trainImagesPerSecond
    if (r.adapter && r.trainImagesPerSecond !== null) {
      const vsWasm = wasm ? r.trainImagesPerSecond / wasm : null
      lines.push(
        `  ${r.backend} on ${adapterName(r.adapter)}: training ${times(vsWasm)} wasm (target ≥ ${gpuTargets.trainVsWasm}×), ` +
          `${times(r.vsPyTorch.train)} PyTorch CPU (target ≥ ${gpuTargets.trainVsPyTorch}×)`
      )
      if (vsWasm !== null && vsWasm < gpuTargets.trainVsWasm)
        missed.push(`training ${times(vsWasm)} wasm`)
      if (r.vsPyTorch.train !== null && r.vsPyTorch.train < gpuTargets.trainVsPyTorch)
        missed.push(`training ${times(r.vsPyTorch.train)} PyTorch`)
    }
    if (r.vsPyTorch.train !== null && r.vsPyTorch.train < report.targets.train)
      missed.push(`training ${times(r.vsPyTorch.train)}`)
    if (r.vsPyTorch.infer !== null && r.vsPyTorch.infer < report.targets.infer)
      missed.push(`inference ${times(r.vsPyTorch.infer)}`)
    if (missed.length > 0) lines.push(`  ${r.backend} misses the target for ${missed.join(', ')}`)
    if (r.trainError) lines.push(`  ${r.backend} training failed: ${r.trainError}`)
    if (r.inferError) lines.push(`  ${r.backend} inference failed: ${r.inferError}`)
    const { train, infer } = r.leakedTensors
    if ((train ?? 0) !== 0 || (infer ?? 0) !== 0)
      lines.push(
        `  ${r.backend} leaks tensors: ${train ?? '-'} in training, ${infer ?? '-'} in inference`
      )
  }
  for (const r of report.results.filter((r) => !r.loaded || r.error))
    lines.push(`  ${r.backend}: not measured — ${r.error ?? r.reason}`)
  return lines.join('\n')
}

/** How many cores' worth of CPU time the machine spent outside idle over `ms`. */
/** The machine a bench ran on, recorded beside its numbers. */
function machineOf(threads: number, busy: number): BenchReport['machine'] {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    threads,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
    busyCores: Math.round(busy * 100) / 100
  }
}

/** PyTorch uses every core, so a busy machine hurts it (and the ratios) most. */
function busyMachineWarning(machine: BenchReport['machine']): string | undefined {
  if (machine.busyCores < 0.25) return undefined
  return `Other processes kept ${machine.busyCores} of ${machine.threads} cores busy as the bench started; rerun it on an idle machine for numbers to rely on.`
}

async function busyCores(ms = 1000): Promise<number> {
  const sample = (): { idle: number; total: number }[] =>
    cpus().map(({ times: t }) => ({
      idle: t.idle,
      total: t.user + t.nice + t.sys + t.idle + t.irq
    }))
  const before = sample()
  await sleep(ms)
  return sample().reduce((sum, now, i) => {
    const total = now.total - (before[i]?.total ?? now.total)
    return total > 0 ? sum + 1 - (now.idle - before[i].idle) / total : sum
  }, 0)
}

/**
 * `dgmw bench`: measures the reference CNN on each backend that loads (one child process each)
 * and on PyTorch, and prints the comparison. Exits 1 when a measurement failed.
 */
async function importBenchCommand(ctx: CommandContext): Promise<number> {
  const result = await runImportBench(findPilPython(), note)
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

async function predictBenchCommand(ctx: CommandContext): Promise<number> {
  const result = await runPredictBench(findPilPython(), note)
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

async function accuracyBenchCommand(ctx: CommandContext): Promise<number> {
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

/** `dgmw bench generative --json`: the bench's result plus the machine it ran on. */
export interface GenerativeBenchReport extends GenerativeBenchResult {
  machine: BenchReport['machine']
}

async function generativeBenchCommand(ctx: CommandContext): Promise<number> {
  const steps = parseSteps(ctx.values.steps)
  const busy = await busyCores()
  const threads = availableParallelism()
  const { python, tried } = findTorchPython()
  const result = await runGenerativeBench({
    backend: ctx.backend,
    python,
    pythonError:
      `no Python here can import torch (${tried.join('; ')}). Install PyTorch ` +
      '(Debian: `apt-get install python3-torch`) or point DGMW_PYTHON at a Python that has it.',
    threads,
    steps,
    onNote: note
  })
  const report: GenerativeBenchReport = {
    machine: machineOf(threads, busy),
    ...result
  }
  if (ctx.json) printJson(report)
  else {
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
      `Generative training throughput, 28×28×1, batch ${report.batchSize}, ${report.steps} timed steps after ${report.warmupSteps} warm-up, on ${report.machine.cpu} (${threads} threads), Node ${report.machine.node}`,
      '',
      formatTable(
        ['model', 'side', 'threads', 'train img/s', 'peak MiB', 'workbench ÷ this'],
        rows
      ),
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
    console.log(lines.join('\n'))
  }
  // A reference that is missing (no script, no torch) is explained, not a failure; one that ran
  // and broke is.
  const failed = report.rows.some(
    (r) => r.workbenchError || (r.referenceError && !report.referenceError)
  )
  return failed ? 1 : 0
}

export async function benchCommand(ctx: CommandContext): Promise<number> {
  if (ctx.positionals[0] === 'import') return importBenchCommand(ctx)
  if (ctx.positionals[0] === 'accuracy') return accuracyBenchCommand(ctx)
  if (ctx.positionals[0] === 'generative') return generativeBenchCommand(ctx)
  if (ctx.positionals[0] === 'label-budget') return labelBudgetBenchCommand(ctx)
  if (ctx.positionals[0] === 'predict') return predictBenchCommand(ctx)
  const steps = parseSteps(ctx.values.steps)
  const busy = await busyCores()
  const base = { ...cnnBenchDefaults, ...(steps ? { steps } : {}) }
  const threads = availableParallelism()
  const candidates: readonly BackendName[] = ctx.backend ? [ctx.backend] : backendNames
  const results: BenchRow[] = []
  let failed = false
  for (const backend of candidates) {
    const tokenRun = backend === 'cpu' && !(ctx.backend === 'cpu' && steps)
    const options: CnnBenchOptions = { ...base, backend, ...(tokenRun ? cpuBenchSteps : {}) }
    const fewer =
      backend === 'webgpu'
        ? `; ${Math.min(options.steps, softwareAdapterSteps)} on a software adapter`
        : ''
    note(`bench: ${backend} (${options.steps} training steps${fewer})…`)
    let result: BenchRow
    try {
      result = { ...(await runCnnBenchInChild(options)), vsPyTorch: { train: null, infer: null } }
    } catch (error) {
      failed = true
      result = {
        backend,
        package: backendPackages[backend],
        steps: options.steps,
        warmupSteps: options.warmupSteps,
        batchSize: options.batchSize,
        inferBatchSize: options.inferBatchSize,
        inferBatches: options.inferBatches,
        loaded: false,
        threads: 0,
        trainImagesPerSecond: null,
        inferImagesPerSecond: null,
        finalLoss: null,
        leakedTensors: { train: null, infer: null },
        peakRssMiB: 0,
        vsPyTorch: { train: null, infer: null },
        error: `the bench process failed: ${(error as Error).message}`
      }
    }
    if (ctx.backend && !result.loaded && !result.error)
      throw new UserError(
        `The forced backend "${backend}" did not load: ${result.reason} Run \`dgmw doctor\` for details, or drop --backend / DGMW_BACKEND to bench every backend that loads.`
      )
    if (result.trainError || result.inferError) failed = true
    results.push(result)
  }
  if (!results.some((r) => r.loaded))
    throw new UserError(
      `No tensor backend could be measured: ${results.map((r) => `${r.backend}: ${r.error ?? r.reason}`).join('; ')}`
    )

  note(`bench: PyTorch reference (${threads} threads)…`)
  const torch = runTorchReference(base, threads)
  const reference = 'reference' in torch ? torch.reference : null
  if ('error' in torch) {
    note(`bench: no PyTorch reference: ${torch.error}`)
    if (!torch.missing) failed = true
  }
  for (const r of results)
    r.vsPyTorch = {
      train: ratio(r.trainImagesPerSecond, reference?.trainImagesPerSecond),
      infer: ratio(r.inferImagesPerSecond, reference?.inferImagesPerSecond)
    }

  const report: BenchReport = {
    machine: machineOf(threads, busy),
    results,
    reference,
    ...('error' in torch ? { referenceError: torch.error } : {}),
    targets: benchTargets
  }
  if (ctx.json) printJson(report)
  else console.log(describe(report))
  for (const r of results) {
    if (r.error) note(`bench: ${r.backend}: ${r.error}`)
    if (r.trainError) note(`bench: ${r.backend} training failed: ${r.trainError}`)
    if (r.inferError) note(`bench: ${r.backend} inference failed: ${r.inferError}`)
  }
  return failed ? 1 : 0
}
