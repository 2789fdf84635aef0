/**
 * How long planned training will take on this machine, said before it starts ("45 runs ≈ 6 h 20
 * min on wasm · 2 threads"). The speed is measured, never guessed: from the newest completed run
 * of the same recipe and model on the same backend and image shape (its training throughput and
 * the time it spent outside training steps: loading, scoring, evaluating), else from a short
 * timed probe in the engine — a few training steps of that model at that batch size on square-pattern
 * images of the same shape — cached per backend, model, shape and batch size.
 */
import { isSynthetic, type RecipeName, type RunEstimate } from '../../preload/contract'
import type { EngineHost } from '../engine/engineHost'
import type { AnyTrainSpec } from '../engine/engineMessages'
import type { CompletedRun } from '../store/runRepository'

/** What a run's speed depends on. */
export interface SpeedKey {
  backend: string
  recipe: RecipeName
  /** The network: a classifier's preset, a generative recipe's width. */
  model: string
  /** "28×28×1". */
  shape: string
  batchSize: number
}

/** Seconds per optimisation step, plus seconds per run spent outside steps, and where from. */
export interface Throughput {
  secondsPerStep: number
  overheadSeconds: number
  source: { kind: 'run'; runId: number } | { kind: 'probe' }
}

/** The network a run's config trains (its speed differs by network, not by learning rate). */
export function modelOf(recipe: RecipeName | string, config: Record<string, unknown>): string {
  if (recipe === 'classifier' || isSynthetic(recipe as RecipeName))
    return String(config.preset ?? 'small-cnn')
  return [
    recipe,
    config.arch,
    config.width === undefined ? undefined : `width ${String(config.width)}`
  ]
    .filter((part) => part !== undefined)
    .join(' ')
}

/**
 * The throughput of the best-matching completed run: the same backend, recipe, model and image
 * shape, the same batch size preferred, then the newest. Null when none matches (or none recorded
 * its speed).
 */
export function throughputFromHistory(runs: CompletedRun[], key: SpeedKey): Throughput | null {
  const matching = runs.filter(
    (r) =>
      r.backend === key.backend &&
      r.recipe === key.recipe &&
      r.shape === key.shape &&
      modelOf(r.recipe, r.config) === key.model &&
      (r.headline.imagesPerSecond ?? 0) > 0 &&
      Number(r.config.batchSize) > 0
  )
  const best =
    matching
      .filter((r) => Number(r.config.batchSize) === key.batchSize)
      .sort((a, b) => b.id - a.id)[0] ?? matching.sort((a, b) => b.id - a.id)[0]
  if (!best) return null
  const secondsPerStep = Number(best.config.batchSize) / best.headline.imagesPerSecond!
  const steps = best.headline.plannedSteps ?? 0
  const wall =
    best.startedAt && best.endedAt
      ? (Date.parse(best.endedAt) - Date.parse(best.startedAt)) / 1000
      : 0
  // What the run spent outside its steps (reading data, scoring, the test evaluation) recurs per run.
  const overheadSeconds = Number.isFinite(wall) ? Math.max(0, wall - steps * secondsPerStep) : 0
  return {
    // At another batch size a step takes about as much longer as it has images more.
    secondsPerStep: (secondsPerStep * key.batchSize) / Number(best.config.batchSize),
    overheadSeconds,
    source: { kind: 'run', runId: best.id }
  }
}

/** "≈ 45 s", "≈ 12 min", "≈ 6 h 20 min" (minutes rounded; under a minute in seconds). */
export function durationText(seconds: number): string {
  if (seconds < 59.5) return `≈ ${Math.max(1, Math.round(seconds))} s`
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `≈ ${minutes} min`
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  return m === 0 ? `≈ ${h} h` : `≈ ${h} h ${m} min`
}

/**
 * "measured from run #12", "measured from runs #12, #15", "measured just now, training steps
 * only": a probe times steps, not what a run does around them (its test evaluation, scoring),
 * which the first completed run of the recipe then adds.
 */
export function sourceText(sources: Throughput['source'][]): string {
  const runIds = [...new Set(sources.flatMap((s) => (s.kind === 'run' ? [s.runId] : [])))]
  const probed = sources.some((s) => s.kind === 'probe')
  const parts: string[] = []
  if (runIds.length)
    parts.push(
      `measured from run${runIds.length === 1 ? '' : 's'} ${runIds.map((id) => `#${id}`).join(', ')}`
    )
  if (probed) parts.push(runIds.length ? 'a probe just now' : 'measured just now')
  return parts.join(' and ') + (probed ? ', training steps only' : '')
}

/**
 * One planned run (or `count` alike) to estimate: its speed key (the backend is the engine's, filled
 * in by the estimator), its steps, and the synthetic-data job that times it if nobody ran it yet.
 */
export interface PlannedWork {
  key: Omit<SpeedKey, 'backend'>
  steps: number
  count?: number
  probe: () => AnyTrainSpec
}

/** The estimate of several planned runs, each with the throughput found for it. */
export function estimateOf(
  work: { planned: Omit<PlannedWork, 'probe'>; throughput: Throughput }[],
  engine: { backend: string; threads: number }
): RunEstimate {
  const runs = work.reduce((n, w) => n + (w.planned.count ?? 1), 0)
  const seconds = work.reduce(
    (total, w) =>
      total +
      (w.planned.count ?? 1) *
        (w.throughput.overheadSeconds + w.planned.steps * w.throughput.secondsPerStep),
    0
  )
  const source = sourceText(work.map((w) => w.throughput.source))
  const where = `on ${engine.backend} · ${engine.threads} thread${engine.threads === 1 ? '' : 's'}`
  return {
    seconds,
    runs,
    text: `${runs === 1 ? '' : `${runs.toLocaleString('en-US')} runs `}${durationText(seconds)} ${where}`,
    source
  }
}

export interface EstimatorOptions {
  completedRunsOf: (recipe: string) => CompletedRun[]
  engine: () => EngineHost
  /** The engine's backend as runs record it ("wasm"), null while none is active. */
  backend: () => string | null
  /** Whether a run is training now (a probe then waits: it would slow the run and mis-time). */
  training: () => boolean
}

/** Steps a probe times after one warm-up step (whose kernels compile). */
const probeSteps = 12

/**
 * Estimates planned work from the history, probing the engine for what it has never run. A probe
 * is skipped while a run trains (it would slow that run and time a shared CPU): the estimate then
 * says it waits for the engine to be free. Probes run one at a time, each key once.
 */
export function createRunEstimator(options: EstimatorOptions) {
  const probes = new Map<string, Promise<Throughput | null>>()
  // One probe at a time: two at once would share the CPU and time each other.
  let queue: Promise<unknown> = Promise.resolve()
  let inFlight = 0

  async function probe(key: SpeedKey, spec: AnyTrainSpec): Promise<Throughput | null> {
    const id = JSON.stringify(key)
    const known = probes.get(id)
    if (known) return known
    inFlight++
    const timed = queue.then(async (): Promise<Throughput | null> => {
      // The engine trains one job at a time: a run that started meanwhile goes first.
      if (options.training()) return null
      const seen: { at: number; step: number; imagesPerSecond: number }[] = []
      const job = options.engine().train(spec, {
        onProgress: (p) => {
          seen.push({ at: performance.now(), step: p.step, imagesPerSecond: p.imagesPerSecond })
          // Stopped a step or two before the end, so the final evaluation (which can cost more
          // than all the steps) never starts.
          if (p.step >= p.totalSteps - 2) job.stop()
        }
      })
      await job.done
      const first = seen[0]
      const last = seen[seen.length - 1]
      if (!first || !last) return null
      // Between two reports the first (compiling) step is left out; one report averages it in.
      const secondsPerStep =
        last.step > first.step
          ? (last.at - first.at) / 1000 / (last.step - first.step)
          : key.batchSize / last.imagesPerSecond
      if (!(secondsPerStep > 0) || !Number.isFinite(secondsPerStep)) return null
      return { secondsPerStep, overheadSeconds: 0, source: { kind: 'probe' } }
    })
    queue = timed.catch(() => null).finally(() => inFlight--)
    probes.set(id, timed)
    // A failed probe is not cached: the next estimate tries again.
    timed.then((t) => t ?? probes.delete(id)).catch(() => probes.delete(id))
    return timed
  }

  return {
    /** Whether a probe holds (or waits for) the engine: a run starts once `idle` resolves. */
    probing: (): boolean => inFlight > 0,
    idle: (): Promise<void> => queue.then(() => undefined),

    /** The estimate of `work`, or why none can be given now (no speed known, none measurable). */
    async estimate(work: PlannedWork[]): Promise<RunEstimate | { unavailable: string }> {
      // A form opened as the app starts waits for the engine's backend (the speed depends on it).
      if (!options.backend()) await options.engine().ready()
      const backend = options.backend()
      if (!backend)
        return { unavailable: 'The engine did not start, so no speed can be measured; see Engine.' }
      const history = new Map<string, CompletedRun[]>()
      const found: { planned: PlannedWork; throughput: Throughput }[] = []
      for (const planned of work) {
        const key = { ...planned.key, backend }
        if (!history.has(key.recipe)) history.set(key.recipe, options.completedRunsOf(key.recipe))
        // No new probe starts while a run trains (a cached one still answers).
        const throughput =
          throughputFromHistory(history.get(key.recipe)!, key) ??
          (options.training() && !probes.has(JSON.stringify(key))
            ? null
            : await probe(key, planned.probe()).catch(() => null))
        if (!throughput)
          return {
            unavailable: options.training()
              ? `No ${key.recipe} run finished on ${backend} yet; its speed is measured when the engine is free.`
              : `The speed of ${key.recipe} on ${backend} could not be measured.`
          }
        found.push({ planned, throughput })
      }
      return estimateOf(found, { backend, threads: options.engine().status().threads })
    }
  }
}

export type RunEstimator = ReturnType<typeof createRunEstimator>

/** The probe's square-pattern images: `probeSteps` + 1 batches of the run's shape, one epoch. */
export function probeData(shape: string, batchSize: number, classes: number) {
  const [width, height, channels] = shape.split('×').map(Number)
  return {
    kind: 'squares' as const,
    samples: batchSize * (probeSteps + 1),
    height,
    width,
    channels,
    classes: Math.max(2, classes)
  }
}
