/**
 * `dgmw bench generative`: training throughput (images/s) of the workbench's DCGAN and VAE against
 * PyTorch twins of the same networks (bench/reference/dcgan_torch.py), in the same invocation on
 * the same cores. The workbench side is the real training path: a headless workbench, its engine
 * worker, `engine.train` with a generative spec on square-pattern 28×28×1 images, no checkpoint folder
 * (nothing is written). Per model: the workbench trains, closes, then PyTorch trains the same
 * number of steps (on all cores, then on one), so the two never share the cores.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  resolveGenerativeConfig,
  type BackendName,
  type GenerativeConfig
} from '../../preload/contract'
import type { GenerativeTrainSpec, TrainProgress } from '../engine/engineMessages'
import { createWorkbench } from '../host/workbench'
import { UserError } from '../platform/userError'
import { missingScriptMessage, referenceScript, runReferenceScript } from './pytorchReference'

export const generativeBenchModels = ['dcgan', 'vae'] as const
export type GenerativeBenchModel = (typeof generativeBenchModels)[number]

export const generativeBenchDefaults = { steps: 100, batchSize: 64 } as const

/**
 * PyTorch's OpenMP threads spin at every barrier; when other processes take a core, a step can
 * take 20× longer (measured: 2 threads at 21–23 images/s on a loaded 2-core machine, 1 thread at
 * 470). So each PyTorch measurement stops timing after this many seconds, and the bench also runs
 * PyTorch on one thread and compares against the faster.
 */
export const torchSecondsLimit = 120

/** Untimed steps before the timed ones: about a tenth of the run, at least 2. */
export const warmupStepsFor = (steps: number): number => Math.max(2, Math.round(steps / 10))

/** What each model is, for the table (both sides build exactly this). */
export const generativeBenchArchitectures: Record<GenerativeBenchModel, string> = {
  dcgan:
    'DCGAN 28×28×1, width 32, latent 64: G dense→BN→ReLU→convT64→32→BN→ReLU→convT→tanh; ' +
    'D conv32→LReLU→conv64→BN→LReLU→dense; non-saturating BCE, Adam 2e-4 (0.5, 0.999)',
  vae:
    'VAE 28×28×1, width 32, latent 16: conv encoder (no BN) with μ/log σ² heads, the DCGAN ' +
    'generator as decoder (sigmoid); summed BCE + KL, Adam 1e-3'
}

export interface WorkbenchThroughput {
  backend: string
  /** Engine threads (wasm: the threaded build's pool size). */
  threads: number
  /** Training images/s over the timed steps (the warm-up excluded when progress allowed it). */
  imagesPerSecond: number
  timedSteps: number
  warmupSteps: number
  /** False when no progress message fell after the warm-up, so the figure includes it. */
  warmupExcluded: boolean
  /** The epoch report's images_per_second: the whole epoch's wall time, warm-up and grids included. */
  epochImagesPerSecond: number | null
  /** Largest RSS of this process (host + engine worker) sampled at every progress message. */
  peakRssMiB: number
  losses: Record<string, number>
}

export interface TorchThroughput {
  imagesPerSecond: number
  seconds: number
  /** Fewer than the bench's steps when the time limit cut the loop short. */
  timedSteps: number
  peakRssMiB: number
  losses: Record<string, number>
}

/** One PyTorch measurement of a model, with the thread count it ran with. */
export type TorchRun = TorchThroughput & { threads: number }

/** The reference script's JSON line. */
export interface TorchGenerativeReport {
  torch: string
  threads: number
  steps: number
  warmupSteps: number
  batchSize: number
  models: Partial<Record<GenerativeBenchModel, TorchThroughput>>
}

export interface GenerativeBenchRow {
  model: GenerativeBenchModel
  architecture: string
  workbench: WorkbenchThroughput | null
  workbenchError?: string
  /** PyTorch on all cores, then (on a machine with more than one) on one thread. */
  references: TorchRun[]
  /** The faster of `references`: the baseline of the ratio. */
  reference: TorchRun | null
  referenceError?: string
  /** Workbench ÷ the faster PyTorch's images/s; null without both numbers. */
  ratio: number | null
}

export interface GenerativeBenchResult {
  steps: number
  warmupSteps: number
  batchSize: number
  rows: GenerativeBenchRow[]
  /** The PyTorch that ran the reference (from its last successful run). */
  reference: { torch: string; python: string; script: string } | null
  /** Longest a PyTorch measurement may time steps before it reports the steps it did. */
  torchSecondsLimit: number
  /** Why there is no reference at all (no script, no Python with torch). */
  referenceError?: string
  /** No throughput target was set for these models; the ratio is reported as measured. */
  target: null
}

/** The engine spec the bench trains: one epoch of `samples` square-pattern images, nothing written. */
export function generativeBenchSpec(
  model: GenerativeBenchModel,
  samples: number,
  batchSize: number = generativeBenchDefaults.batchSize
): GenerativeTrainSpec {
  const config: GenerativeConfig = resolveGenerativeConfig(model, {
    epochs: 1,
    batchSize,
    snapshotsPerEpoch: 1,
    seed: 1
  })
  return {
    recipe: model,
    data: { kind: 'squares', samples, height: 28, width: 28, channels: 1, classes: 10 },
    config
  }
}

/**
 * Training seconds at a progress message: the trainer reports images/s as the batch size over its
 * mean step time so far (grids excluded), so steps × batch ÷ images/s is the time spent in steps.
 */
const trainingSecondsAt = (p: TrainProgress, batchSize: number): number =>
  (p.step * batchSize) / p.imagesPerSecond

/**
 * Trains one model through a fresh headless workbench (its own engine worker) for
 * `warmupSteps + steps` batches and measures the steps after the warm-up.
 */
export async function measureWorkbenchThroughput(
  model: GenerativeBenchModel,
  options: { steps: number; warmupSteps: number; backend?: BackendName; batchSize?: number }
): Promise<WorkbenchThroughput> {
  const batchSize = options.batchSize ?? generativeBenchDefaults.batchSize
  const totalSteps = options.warmupSteps + options.steps
  const home = mkdtempSync(join(tmpdir(), 'dgmw-generative-bench-'))
  const workbench = createWorkbench({ dataDir: home, backend: options.backend, log: () => {} })
  try {
    const status = await workbench.engine.ready()
    if (status.state !== 'ready' || !status.active)
      throw new UserError(`No tensor backend: ${status.error ?? 'none loaded'}`)
    const progress: TrainProgress[] = []
    let peakRss = process.memoryUsage().rss
    let epochImagesPerSecond: number | null = null
    const job = workbench.engine.train(
      generativeBenchSpec(model, totalSteps * batchSize, batchSize),
      {
        onProgress: (p) => {
          progress.push(p)
          peakRss = Math.max(peakRss, process.memoryUsage().rss)
        },
        onEpoch: (report) => {
          epochImagesPerSecond = report.metrics.images_per_second ?? null
        }
      }
    )
    const result = await job.done
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
    if (result.status !== 'completed' || result.steps !== totalSteps)
      throw new Error(`training ended early (${result.status} after ${result.steps} steps)`)
    const last = progress.at(-1)
    if (!last || last.step !== totalSteps)
      throw new Error('the engine reported no progress for the last step')
    // The first message at or after the warm-up starts the window; the last one ends it.
    const first = progress.find((p) => p.step >= options.warmupSteps && p !== last)
    const window = first
      ? {
          steps: last.step - first.step,
          seconds: trainingSecondsAt(last, batchSize) - trainingSecondsAt(first, batchSize)
        }
      : { steps: last.step, seconds: trainingSecondsAt(last, batchSize) }
    return {
      backend: status.active,
      threads: status.threads,
      imagesPerSecond: (window.steps * batchSize) / window.seconds,
      timedSteps: window.steps,
      warmupSteps: totalSteps - window.steps,
      warmupExcluded: first !== undefined,
      epochImagesPerSecond,
      peakRssMiB: peakRss / 2 ** 20,
      losses: Object.fromEntries(
        Object.entries(last.metrics ?? {}).filter(([, v]) => Number.isFinite(v))
      )
    }
  } finally {
    await workbench.close().catch(() => {})
    rmSync(home, { recursive: true, force: true })
  }
}

/** Runs the PyTorch twin of `models` (one process, so its peak RSS is theirs alone). */
export function runGenerativeTorch(
  python: string,
  script: string,
  models: readonly GenerativeBenchModel[],
  options: {
    threads: number
    steps: number
    warmupSteps: number
    batchSize?: number
    maxSeconds?: number
  }
): TorchGenerativeReport | { error: string } {
  const run = runReferenceScript<TorchGenerativeReport>(
    python,
    script,
    [
      `--threads=${options.threads}`,
      `--models=${models.join(',')}`,
      `--steps=${options.steps}`,
      `--warmup=${options.warmupSteps}`,
      `--batch=${options.batchSize ?? generativeBenchDefaults.batchSize}`,
      `--max-seconds=${options.maxSeconds ?? 0}`
    ],
    { timeoutMs: 1_800_000 }
  )
  return 'error' in run ? run : run.report
}

export async function runGenerativeBench(options: {
  backend?: BackendName
  /** A Python that can import torch (findTorchPython); none: the reference is skipped. */
  python?: string
  /** Why there is no Python, for the report. */
  pythonError?: string
  threads: number
  steps?: number
  models?: readonly GenerativeBenchModel[]
  onNote?: (line: string) => void
}): Promise<GenerativeBenchResult> {
  const steps = options.steps ?? generativeBenchDefaults.steps
  const warmupSteps = warmupStepsFor(steps)
  const batchSize = generativeBenchDefaults.batchSize
  const script = referenceScript('dcgan_torch.py')
  const referenceError = !script
    ? missingScriptMessage('dcgan_torch.py')
    : !options.python
      ? (options.pythonError ?? 'No python3 with torch found (install python3-torch).')
      : undefined
  let reference: GenerativeBenchResult['reference'] = null
  const rows: GenerativeBenchRow[] = []
  for (const model of options.models ?? generativeBenchModels) {
    const row: GenerativeBenchRow = {
      model,
      architecture: generativeBenchArchitectures[model],
      workbench: null,
      references: [],
      reference: null,
      ratio: null
    }
    options.onNote?.(`bench: workbench ${model} (${warmupSteps} + ${steps} steps of ${batchSize})…`)
    try {
      row.workbench = await measureWorkbenchThroughput(model, {
        steps,
        warmupSteps,
        backend: options.backend,
        batchSize
      })
    } catch (error) {
      if (error instanceof UserError) throw error
      row.workbenchError = (error as Error).message
    }
    if (script && options.python) {
      for (const threads of new Set([options.threads, 1])) {
        options.onNote?.(`bench: PyTorch ${model} (${threads} thread${threads > 1 ? 's' : ''})…`)
        const torch = runGenerativeTorch(options.python, script, [model], {
          threads,
          steps,
          warmupSteps,
          batchSize,
          maxSeconds: torchSecondsLimit
        })
        const measured = 'error' in torch ? undefined : torch.models[model]
        if ('error' in torch) row.referenceError = torch.error
        else if (!measured) row.referenceError = `the reference reported no ${model}`
        else {
          row.references.push({ ...measured, threads: torch.threads })
          reference = { torch: torch.torch, python: options.python, script }
        }
      }
      row.reference = row.references.reduce<TorchRun | null>(
        (best, r) => (!best || r.imagesPerSecond > best.imagesPerSecond ? r : best),
        null
      )
    } else row.referenceError = referenceError
    if (row.workbench && row.reference?.imagesPerSecond)
      row.ratio = row.workbench.imagesPerSecond / row.reference.imagesPerSecond
    rows.push(row)
  }
  return {
    steps,
    warmupSteps,
    batchSize,
    rows,
    reference,
    ...(referenceError ? { referenceError } : {}),
    torchSecondsLimit,
    target: null
  }
}
