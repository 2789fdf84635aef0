/**
 * `dgmw bench` (no benchmark named): the reference CNN on every tensor backend that loads, one
 * child process each, and on PyTorch, side by side.
 */
import { availableParallelism } from 'node:os'
import { adapterName } from '../../../../preload/backendLabel'
import { backendNames, type BackendName } from '../../../../preload/contract'
import {
  cnnBenchDefaults,
  runCnnBenchInChild,
  softwareAdapterSteps,
  type CnnBenchOptions,
  type CnnBenchResult
} from '../../../bench/cnnBench'
import {
  findTorchPython,
  missingScriptMessage,
  missingTorchMessage,
  referenceScript,
  runReferenceScript
} from '../../../bench/pytorchReference'
import { backendPackages } from '../../../engine/backendPackages'
import { UserError } from '../../../platform/userError'
import type { CommandContext } from '../../context'
import { formatTable, note, printJson } from '../../output'
import { parseSteps, rate, ratio, times } from './format'
import { busyCores, busyMachineWarning, machineOf, type BenchMachine } from './machine'

/** The pure-JS cpu backend trains at a few images/s, so it gets a token run unless forced. */
export const cpuBenchSteps = { steps: 3, warmupSteps: 1, inferBatches: 1 }

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
  machine: BenchMachine
  results: BenchRow[]
  reference: TorchReference | null
  /** Why there is no reference, when there is none. */
  referenceError?: string
  targets: typeof benchTargets
}

function runTorchReference(
  options: Omit<CnnBenchOptions, 'backend'>,
  threads: number
): { reference: TorchReference } | { error: string; missing: boolean } {
  const script = referenceScript('cnn_torch.py')
  if (!script) return { missing: true, error: missingScriptMessage('cnn_torch.py') }
  const { python, tried } = findTorchPython()
  if (!python) return { missing: true, error: missingTorchMessage(tried) }
  const run = runReferenceScript<Omit<TorchReference, 'python'>>(python, script, [
    `--threads=${threads}`,
    `--steps=${options.steps}`,
    `--warmup=${options.warmupSteps}`,
    `--batch=${options.batchSize}`,
    `--infer-batch=${options.inferBatchSize}`,
    `--infer-batches=${options.inferBatches}`,
    `--seed=${options.seed}`
  ])
  if ('error' in run) return { missing: false, error: run.error }
  return { reference: { ...run.report, python } }
}

/** A backend whose bench process died without a result. */
function failedRow(options: CnnBenchOptions, error: unknown): BenchRow {
  return {
    backend: options.backend,
    package: backendPackages[options.backend],
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

/** Measures each backend (one child process each), then PyTorch. Exits 1 when a measurement failed. */
export async function backendsBenchCommand(ctx: CommandContext): Promise<number> {
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
      result = failedRow(options, error)
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
  for (const r of measured) lines.push(...rowNotes(r, measured, report.targets))
  for (const r of report.results.filter((r) => !r.loaded || r.error))
    lines.push(`  ${r.backend}: not measured — ${r.error ?? r.reason}`)
  return lines.join('\n')
}

/** A measured backend's misses against the targets, failures and leaks. */
function rowNotes(r: BenchRow, measured: BenchRow[], targets: typeof benchTargets): string[] {
  if (r.adapter?.software)
    return [
      `  ${r.backend} ran on ${adapterName(r.adapter)}, a CPU emulation: ${r.steps} steps to show it ` +
        'works; its speed says nothing about a GPU (no target applies).'
    ]
  const lines: string[] = []
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
  if (r.vsPyTorch.train !== null && r.vsPyTorch.train < targets.train)
    missed.push(`training ${times(r.vsPyTorch.train)}`)
  if (r.vsPyTorch.infer !== null && r.vsPyTorch.infer < targets.infer)
    missed.push(`inference ${times(r.vsPyTorch.infer)}`)
  if (missed.length > 0) lines.push(`  ${r.backend} misses the target for ${missed.join(', ')}`)
  if (r.trainError) lines.push(`  ${r.backend} training failed: ${r.trainError}`)
  if (r.inferError) lines.push(`  ${r.backend} inference failed: ${r.inferError}`)
  const { train, infer } = r.leakedTensors
  if ((train ?? 0) !== 0 || (infer ?? 0) !== 0)
    lines.push(
      `  ${r.backend} leaks tensors: ${train ?? '-'} in training, ${infer ?? '-'} in inference`
    )
  return lines
}
