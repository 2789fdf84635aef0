/**
 * Runs: queued, trained one at a time by the engine worker, recorded as they go. Every state
 * change is written to the run store before it is announced, so the history is right even if the
 * process dies a moment later; metrics arrive a few times a second and at each epoch end.
 */
import { rmSync } from 'node:fs'
import { backendLabel } from '../../preload/backendLabel'
import { trainingLength, trainingLengthText } from '../../preload/trainingLength'
import {
  isLiveStatus,
  classifierConfigSchema,
  isGenerative,
  isSynthetic,
  resolveGenerativeConfig,
  type Evaluation,
  type RecipeName,
  type GenerativeConfig,
  type RunEstimate,
  type RunPreview,
  type RunProgress,
  type SyntheticConfig,
  type RunSummary,
  type ValidArgs
} from '../../preload/contract'
import type { EngineHost, TrainJob, TrainListeners } from '../engine/engineHost'
import {
  isGenerativeSpec,
  type AnyTrainSpec,
  type DatasetData,
  type EpochReport,
  type EvaluatedImages,
  type TrainResult
} from '../engine/engineMessages'
import { checkLabelsPerClass } from '../datasets/labelsAvailable'
import { classifierTrainingData } from '../datasets/trainingData'
import type { EventBus } from '../platform/eventBus'
import { codeVersion } from '../platform/appVersion'
import { UserError } from '../platform/userError'
import type { RunStore } from '../store/runStore'
import { resumableStatuses } from '../store/runRepository'
import { classificationReport } from './evaluation'
import { generativeData, generativeSpec, recordScores } from './generativeRuns'
import { deleteRunFiles, removeRunLeftovers, runDir } from '../platform/runFiles'
import { checkInitFrom } from '../export/checkInitFrom'
import {
  checkGenerator,
  classifierPart,
  findRealOnlyTwin,
  syntheticSpec
} from './generatedDataRuns'
import { diskFullMessage, isDiskFull } from '../platform/diskFull'
import { graphBudget, pendingGraphRun, selfTrainData } from './selfTraining'
import { createRunEstimator, modelOf, probeData, type PlannedWork } from './runEstimate'
import { createBusyTolerantWriter } from './busyTolerantWriter'
import { createClusterRuns, type ClusterSetup } from './clusterRuns'
import type { QueueItem } from './queueItem'
import { busyTimeoutMs, databaseBusyError, isDatabaseBusy } from '../store/databaseBusy'

export interface RunServiceOptions {
  store: RunStore
  dataDir: string
  bus: EventBus
  /** The current engine (it is replaced when the backend setting changes). */
  engine: () => EngineHost
  /** Replaces the engine with a fresh one (after the GPU device was lost). */
  restartEngine?: () => Promise<void>
  /** Slurm profiles and the executor that submits and follows jobs (absent: local only). */
  cluster?: ClusterSetup
}

export type RunService = ReturnType<typeof createRunService>

export function createRunService(options: RunServiceOptions) {
  const { store, bus, dataDir } = options
  const queue: QueueItem[] = []
  let active: { item: QueueItem; job: TrainJob } | null = null
  let closing = false
  const waiters = new Map<number, ((run: RunSummary) => void)[]>()
  // Everything a training records goes through it: another process's long write (an import)
  // delays these writes instead of ending the training.
  const writes = createBusyTolerantWriter(store)

  const releaseWaiters = (runId: number, run: RunSummary): void => {
    for (const resolve of waiters.get(runId) ?? []) resolve(run)
    waiters.delete(runId)
  }

  const setStatus = (
    runId: number,
    status: RunSummary['status'],
    error: string | null = null,
    backend: string | null = null
  ): void => {
    const ended = !isLiveStatus(status)
    // Live progress is for other processes' eyes while it trains; a finished run lists without it.
    if (ended) store.runs.updateHeadline(runId, { progress: null })
    store.runs.setStatus(runId, status, error, backend)
    bus.emit('run/status', { runId, status, ...(error ? { error } : {}) })
    if (ended) releaseWaiters(runId, store.runs.summary(runId))
  }

  /**
   * A run's dataset, filled-in config, data and length, checked before anything is recorded (so a
   * dataset that cannot train is refused first); a generative run's config gets its recipe's
   * defaults, and every run's epochs its minimum of optimisation steps.
   */
  function prepare(args: ValidArgs<'runs/start'>) {
    const dataset = store.datasets.get(args.datasetId)
    const { labelsPerClass } = args.config
    if (labelsPerClass) checkLabelsPerClass(store, dataset, labelsPerClass)
    let config: Record<string, unknown> & { seed: number; epochs: number; batchSize: number }
    let data: DatasetData
    let images: number | undefined
    if (args.recipe === 'self-train') {
      const pending = pendingGraphRun(
        store,
        dataset.id,
        args.config.generatorRunId,
        args.config.pseudoLabelShare
      )
      // A label-budget experiment queues it behind its graph run: its size is estimated now.
      if (pending) ({ data, images } = pending)
      else data = selfTrainData(store, dataDir, dataset.id, args.config)
      // The graph run's budget and seed: the same labelled draw, so nothing hidden leaks in.
      config = { ...args.config, ...graphBudget(store, args.config.generatorRunId) }
    } else if (args.recipe === 'classifier' || args.recipe === 'augment' || args.recipe === 'cas') {
      if (args.recipe !== 'classifier')
        checkGenerator(store, dataset.id, args.config.generatorRunId)
      data = classifierTrainingData(store, dataset.id, args.config)
      if (data.trainIndices.length === 0 && args.recipe !== 'cas')
        throw new UserError(
          `Dataset "${dataset.name}" has no labelled training images to learn from.`
        )
      if (args.config.initFrom)
        config = { ...args.config, initFrom: checkInitFrom(args.config, data) }
      else config = args.config
    } else {
      const resolved = resolveGenerativeConfig(args.recipe, args.config)
      data = generativeData(store, dataset.id, args.recipe, resolved)
      config = resolved
      if (data.trainIndices.length === 0)
        throw new UserError(`Dataset "${dataset.name}" has no training images to learn from.`)
    }
    // Epochs raised to the run's minimum of optimisation steps (label budgets), said up front.
    images ??= imagesPerEpoch(args.recipe, config, data)
    const length = trainingLength(config, images)
    config = { ...config, epochs: length.epochs }
    return { dataset, config, data, length, images }
  }

  function specOf(runId: number, item: QueueItem): AnyTrainSpec {
    const run = store.runs.get(runId)
    if (run.datasetId === null)
      throw new UserError('The dataset of this run was deleted; its run cannot train again.')
    const options = { resume: item.resume, evaluateOnly: item.kind === 'evaluate' }
    if (run.family === 'generative') return generativeSpec(store, dataDir, run, options)
    if (run.family === 'synthetic') return syntheticSpec(store, dataDir, run, options)
    return {
      data: classifierTrainingData(store, run.datasetId, run.config),
      config: run.config,
      checkpointDir: runDir(dataDir, runId),
      resume: item.resume,
      evaluateOnly: item.kind === 'evaluate'
    }
  }

  /**
   * Starts the next queued item when the engine is free; cluster runs go to their profile's
   * queue at once (Slurm queues them), together when queued together (one job array).
   */
  function pump(): void {
    if (closing) return
    if (queue.some((q) => q.runOn)) cluster?.schedule()
    const next = queue.findIndex((q) => !q.runOn)
    if (active || next < 0) return
    // A speed probe holds the engine for a few seconds (one job at a time): the run follows it.
    if (estimator.probing()) return void estimator.idle().then(pump)
    const [item] = queue.splice(next, 1)
    let spec: AnyTrainSpec
    try {
      spec = specOf(item.runId, item)
    } catch (error) {
      fail(item, error as Error)
      return pump()
    }
    const engine = options.engine()
    if (item.kind === 'train') {
      const backend = backendLabel(engine.status())
      writes.write(() => setStatus(item.runId, 'running', null, backend))
    }
    const job = engine.train(spec, item.kind === 'train' ? trainListeners(item.runId, spec) : {})
    active = { item, job }
    settleJob(item, spec, job).finally(() => {
      active = null
      pump()
    })
  }

  /** Records how a job (local or a cluster's) ends. */
  const settleJob = (item: QueueItem, spec: AnyTrainSpec, job: TrainJob): Promise<void> =>
    job.done
      .then((result) => recordEnd(item, () => finished(item, spec, result)))
      .catch((error: Error) => fail(item, error))

  function trainListeners(runId: number, spec: AnyTrainSpec): TrainListeners {
    const epochs = spec.config.epochs
    let progressWrittenAt = -Infinity

    /** An epoch's metrics, headline and checkpoint, recorded together, then announced. */
    function recordEpoch(report: EpochReport): void {
      // The checkpoint is the source of truth: a replayed epoch is recorded only when the
      // process that wrote its checkpoint died before recording it.
      if (report.replayed && (store.runs.summary(runId).headline.epochsDone ?? 0) > report.epoch)
        return
      const m = report.metrics
      store.runs.addMetrics(
        runId,
        Object.entries(m)
          .filter(([, value]) => Number.isFinite(value))
          .map(([name, value]) => ({
            name: name === 'lr' ? 'epoch/lr' : name,
            step: report.step,
            epoch: report.epoch,
            value
          }))
      )
      store.runs.updateHeadline(runId, {
        trainLoss: m['train/loss'],
        trainAccuracy: m['train/accuracy'],
        valLoss: m['val/loss'],
        valAccuracy: m['val/accuracy'],
        imagesPerSecond: m.images_per_second,
        epochsDone: report.epoch + 1,
        epochs,
        // Appended to what earlier epochs (and attempts, before a resume) warned about.
        ...(report.warnings?.length
          ? {
              warnings: [...(store.runs.summary(runId).headline.warnings ?? []), ...report.warnings]
            }
          : {})
      })
      if (report.checkpoint)
        store.runs.addArtifact(runId, { kind: 'checkpoint', ...report.checkpoint })
      bus.emit('train/epoch', {
        runId,
        epoch: report.epoch,
        step: report.step,
        metrics: report.metrics
      })
    }

    return {
      onStart: ({ fromStep }) =>
        writes.write(() => {
          store.runs.deleteMetricsAfter(runId, fromStep)
          store.generative.deleteSampleGridsAfter(runId, fromStep)
        }),
      // Recorded as soon as measured: an interrupted run keeps its untrained baseline.
      onScores: (scores) => {
        if (isGenerativeSpec(spec) && spec.evaluator) {
          const evaluatorRunId = spec.evaluator.runId
          writes.write(() => recordScores(store, runId, { ...scores, evaluatorRunId }))
        }
      },
      onSnapshot: ({ step, epoch, rows, cols, path, diversity }) =>
        writes.write(() => {
          store.generative.addSampleGrid(runId, { step, epoch, rows, cols, path })
          if (Number.isFinite(diversity))
            store.runs.addMetrics(runId, [
              { name: 'samples/diversity', step, epoch: Math.floor(epoch), value: diversity }
            ])
          bus.emit('run/sampleGrid', { runId, step, epoch, rows, cols, diversity })
        }),
      onPaused: () => writes.write(() => setStatus(runId, 'paused')),
      onResumed: () => writes.write(() => setStatus(runId, 'running')),
      onProgress: (p) => {
        // Generative runs log every loss of their networks; classifiers their one loss and rate.
        const perStep = p.metrics ?? { loss: p.loss, lr: p.learningRate }
        const rows = Object.entries(perStep)
          .filter(([, value]) => Number.isFinite(value))
          .map(([name, value]) => ({ name, step: p.step, epoch: p.epoch, value }))
        const progress: RunProgress = {
          epoch: p.epoch,
          epochs: p.epochs,
          step: p.step,
          totalSteps: p.totalSteps,
          metrics: p.metrics ?? { loss: p.loss, lr: p.learningRate },
          imagesPerSecond: p.imagesPerSecond,
          elapsedSeconds: p.elapsedSeconds,
          etaSeconds: p.etaSeconds
        }
        // Another process relays it (see otherProcessWatcher): once a second is enough for its
        // ETA and step counter, and costs one small row update, not one per event.
        const headline = Date.now() - progressWrittenAt >= progressWriteInterval
        if (headline) progressWrittenAt = Date.now()
        writes.write(() => {
          store.runs.addMetrics(runId, rows)
          if (headline) store.runs.updateHeadline(runId, { progress })
        })
        // Live, not history: announced at once even while the database is busy.
        bus.emit('train/progress', { runId, ...progress })
      },
      onEpoch: (report) => writes.write(() => recordEpoch(report))
    }
  }

  /**
   * Records how a job ended once the writes before it are in. The database may stay busy for a
   * while (another process's import): the end is retried for a minute, then said in the log and
   * the run left to be marked interrupted when the data directory is next opened.
   */
  async function recordEnd(item: QueueItem, record: () => void): Promise<void> {
    writes.write(record)
    try {
      await writes.flushed(endWriteDeadlineMs)
    } catch (error) {
      if (!isDatabaseBusy(error)) throw error
      const message =
        `Run ${item.runId} ended, but the run database stayed busy for ` +
        `${endWriteDeadlineMs / 1000} s (another DGM Workbench process held it), so its end ` +
        'was not recorded; it shows as interrupted the next time this data directory is opened. ' +
        'Resume it from its last checkpoint.'
      console.error(message)
      item.settle?.reject(new Error(message))
      releaseWaiters(item.runId, {
        ...store.runs.summary(item.runId),
        status: 'interrupted',
        error: message
      })
    }
  }

  function finished(item: QueueItem, spec: AnyTrainSpec, result: TrainResult): void {
    const { runId } = item
    if (result.checkpoint)
      store.runs.addArtifact(runId, { kind: 'checkpoint', ...result.checkpoint })
    if (result.metrics)
      store.runs.addMetrics(
        runId,
        Object.entries(result.metrics).map(([name, value]) => ({ name, step: result.steps, value }))
      )
    if (result.evaluated) {
      const evaluation = saveEvaluation(runId, spec, result.evaluated, result.steps)
      item.settle?.resolve(evaluation)
      if (result.bestEpoch !== undefined)
        store.runs.updateHeadline(runId, { bestEpoch: result.bestEpoch })
    }
    if (item.kind === 'train') setStatus(runId, result.status)
  }

  function saveEvaluation(
    runId: number,
    spec: AnyTrainSpec,
    images: EvaluatedImages,
    step: number
  ): Evaluation {
    const run = store.runs.detail(runId)
    const labels = spec.data.kind === 'dataset' ? spec.data.labels : []
    const truth = images.indices.map((i) => labels[i])
    const evaluation: Evaluation = {
      runId,
      split: 'test',
      loss: images.loss,
      ...classificationReport(run.classNames, truth, images.predicted),
      ...(images.outOfDistribution ? { outOfDistribution: images.outOfDistribution } : {}),
      createdAt: new Date().toISOString()
    }
    store.results.saveEvaluation(
      evaluation,
      images.indices.map((idx, k) => ({
        idx,
        label: truth[k],
        predicted: images.predicted[k],
        confidence: images.confidence[k]
      }))
    )
    store.runs.addMetrics(runId, [{ name: 'test/accuracy', step, value: evaluation.accuracy }])
    store.runs.updateHeadline(runId, {
      testAccuracy: evaluation.accuracy,
      ...(images.outOfDistribution
        ? { oodRate: images.outOfDistribution.flagged / Math.max(1, images.indices.length) }
        : {})
    })
    return evaluation
  }

  /** Records a failed job; after a lost GPU, resolves once a fresh engine replaced the old one. */
  async function fail(item: QueueItem, error: Error & { deviceLost?: boolean }): Promise<void> {
    item.settle?.reject(error)
    if (item.kind === 'train' && !closing) {
      // A lost GPU (driver reset, sleep) interrupts the run: it resumes from its checkpoint.
      // A cluster job says how it ended (cancelled, timed out, failed).
      const status =
        (error as { runStatus?: RunSummary['status'] }).runStatus ??
        (error.deviceLost ? 'interrupted' : 'failed')
      // A full disk stops a run at its checkpoint write: say which disk; the run resumes.
      // A busy database (another process's long write) says so, without SQLite's words.
      const message = isDiskFull(error)
        ? diskFullMessage(dataDir, 'resume the run from its last checkpoint')
        : isDatabaseBusy(error.cause)
          ? `The run stopped: ${databaseBusyError().message}`
          : error.message
      // Nothing may escape: this ends the queue's promise chain (an unhandled rejection would
      // end the process and every run queued in it).
      await recordEnd(item, () => setStatus(item.runId, status, message)).catch(
        (recordError: Error) =>
          console.error(
            `Run ${item.runId} failed and its failure could not be recorded:`,
            recordError
          )
      )
    }
    // The queue waits for this (the promise chain in pump), so no run starts on the lost engine.
    if (error.deviceLost) await options.restartEngine?.()
  }

  const estimator = createRunEstimator({
    completedRunsOf: (recipe) => store.runs.completed(recipe),
    engine: options.engine,
    backend: () => backendLabel(options.engine().status()),
    // A queued run is about to start: no probe begins before it.
    training: () => active !== null || queue.length > 0
  })

  /** What a run's speed depends on, and the synthetic-data job that times it (a few steps). */
  function plannedWork(
    recipe: RecipeName,
    config: Record<string, unknown> & { batchSize: number },
    dataset: { width: number | null; height: number | null; channels: number | null },
    classes: number,
    steps: number
  ): PlannedWork {
    const shape = `${dataset.width}×${dataset.height}×${dataset.channels}`
    const key = {
      recipe,
      model: modelOf(recipe, config),
      shape,
      batchSize: config.batchSize
    }
    const data = probeData(shape, config.batchSize, classes)
    const short = { epochs: 1, minSteps: 0, labelsPerClass: 0 }
    const probe = (): AnyTrainSpec =>
      isGenerative(recipe)
        ? {
            recipe,
            data,
            config: {
              ...(config as GenerativeConfig),
              ...short,
              evaluatorRunId: undefined,
              snapshotsPerEpoch: 1
            }
          }
        : {
            data,
            config: classifierConfigSchema.parse({
              ...(isSynthetic(recipe) ? classifierPart(config as SyntheticConfig) : config),
              ...short,
              earlyStoppingPatience: 0,
              initFrom: undefined
            })
          }
    return { key, steps, probe }
  }

  const cluster = options.cluster
    ? createClusterRuns(options.cluster, {
        store,
        bus,
        writes,
        queue,
        setStatus,
        specOf,
        trainListeners,
        settleJob,
        fail,
        pump: () => pump(),
        closing: () => closing
      })
    : undefined
  const requireCluster = (): NonNullable<typeof cluster> => {
    if (!cluster) throw new UserError('This workbench runs nothing on clusters.')
    return cluster
  }

  const live = (runId: number): boolean =>
    active?.item.runId === runId ||
    queue.some((q) => q.runId === runId) ||
    (cluster?.follows(runId) ?? false)

  /** Whether another process (the CLI, a second server) has this unfinished run. */
  const trainedElsewhere = (run: RunSummary): boolean => isLiveStatus(run.status) && !live(run.id)

  /** Refuses to control a run that another process trains. */
  const refuseIfElsewhere = (run: RunSummary): void => {
    if (trainedElsewhere(run))
      throw new UserError(
        `Run ${run.id} is ${run.status} in another process (a \`dgmw train\` in a terminal, or ` +
          'another window on this data folder); control it there: Ctrl-C in the terminal stops it ' +
          'after the current step and keeps its last checkpoint.',
        'conflict'
      )
  }

  const service = {
    trainedElsewhere,

    /** How long the run would train (the new-run form says it before the person starts it). */
    async preview(args: ValidArgs<'runs/preview'>): Promise<RunPreview> {
      const { config, length, images, dataset, data } = prepare(args)
      const planned = {
        plannedSteps: length.steps,
        trainingLength: trainingLengthText(length, config.batchSize, images)
      }
      // This machine's measured speed says nothing about a cluster's nodes and queue.
      if (args.runOn)
        return {
          ...planned,
          estimate: {
            unavailable: `It runs as a job on Slurm profile ${requireCluster().profile(args.runOn).name}: its time depends on the node it gets and the queue, not on this machine.`
          }
        }
      const work = plannedWork(args.recipe, config, dataset, data.classes, length.steps)
      return { ...planned, estimate: await estimator.estimate([work]) }
    },

    /** The time estimate of planned runs (a label-budget plan), by the same measured speeds. */
    async estimate(
      planned: {
        recipe: RecipeName
        config: Record<string, unknown> & { batchSize: number }
        steps: number
        count: number
      }[],
      datasetId: number
    ): Promise<RunEstimate | { unavailable: string }> {
      const dataset = store.datasets.get(datasetId)
      return estimator.estimate(
        planned.map((p) => ({
          ...plannedWork(p.recipe, p.config, dataset, dataset.classNames.length, p.steps),
          count: p.count
        }))
      )
    },

    /** The resolved config and planned steps `runs/start` would use (nothing is recorded). */
    plan(args: ValidArgs<'runs/start'>) {
      const { config, length } = prepare(args)
      return { config, steps: length.steps }
    },

    /**
     * Queues a new run. An augment run is compared with the same classifier on real images only:
     * its twin (same config, no generator) is found among the dataset's runs or queued first,
     * unless `realOnlyTwin` is false (a label-budget experiment has its own baseline line).
     */
    start(args: ValidArgs<'runs/start'>, options: { realOnlyTwin?: boolean } = {}): RunSummary {
      let realOnlyRunId: number | undefined
      if (args.recipe === 'augment' && options.realOnlyTwin !== false) {
        checkGenerator(store, args.datasetId, args.config.generatorRunId)
        realOnlyRunId =
          findRealOnlyTwin(store, args.datasetId, args.config) ??
          service.start({
            datasetId: args.datasetId,
            experimentId: args.experimentId,
            name: `real-only twin of ${args.name ?? 'an augment run'}`,
            recipe: 'classifier',
            config: classifierPart(args.config)
          }).id
      }
      if (args.runOn) requireCluster().profile(args.runOn)
      const { dataset, config, data, length, images } = prepare(args)
      const experimentId = args.experimentId ?? store.experiments.named(dataset.id, dataset.name)
      const runId = store.runs.create({
        experimentId,
        datasetId: dataset.id,
        name: args.name ?? null,
        recipe: args.recipe,
        config,
        seed: config.seed,
        codeVersion: codeVersion()
      })
      store.runs.updateHeadline(runId, {
        plannedSteps: length.steps,
        trainingLength: trainingLengthText(length, config.batchSize, images),
        ...(config.labelsPerClass
          ? { labelledImages: (data.labelledIndices ?? data.trainIndices).length }
          : {})
      })
      if (realOnlyRunId !== undefined) store.runs.updateHeadline(runId, { realOnlyRunId })
      if (args.runOn) cluster!.place(runId, args.runOn)
      bus.emit('run/status', { runId, status: 'queued' })
      queue.push({ runId, kind: 'train', resume: false, runOn: args.runOn })
      pump()
      return store.runs.summary(runId)
    },

    pause(runId: number): void {
      const run = store.runs.summary(runId)
      if (run.headline.cluster)
        throw new UserError(
          `Run ${runId} is a Slurm job, which cannot pause: stop it (its checkpoint is kept) and resume it later.`,
          'conflict'
        )
      refuseIfElsewhere(run)
      if (active?.item.runId !== runId || active.item.kind !== 'train' || run.status !== 'running')
        throw new UserError(
          `Run ${runId} is ${run.status}; only a running run can pause.`,
          'conflict'
        )
      active.job.pause()
    },

    resume(runId: number): void {
      const run = store.runs.summary(runId)
      refuseIfElsewhere(run)
      if (run.datasetDeleted)
        throw new UserError(
          `Run ${runId} trained on ${run.datasetName}: its results stay, but it cannot train again without its images. Import them again and start a new run.`,
          'conflict'
        )
      if (run.status === 'paused' && active?.item.runId === runId) return active.job.resume()
      const notResumable = (status: RunSummary['status']): UserError =>
        new UserError(
          `Run ${runId} is ${status}; only interrupted, stopped, failed or paused runs resume.`,
          'conflict'
        )
      if (!resumableStatuses.includes(run.status) || live(runId)) throw notResumable(run.status)
      // Another process may resume it at the same moment: one conditional write picks the owner.
      if (!store.runs.requeue(runId)) {
        const now = store.runs.summary(runId)
        refuseIfElsewhere(now)
        throw notResumable(now.status)
      }
      // What an earlier, killed attempt left in the run's folder goes before this one writes.
      removeRunLeftovers(dataDir, runId)
      bus.emit('run/status', { runId, status: 'queued' })
      // A cluster run is submitted again, going on from the checkpoint in its shared folder; its
      // ended job is forgotten (its folder and what was recorded of it stay).
      const job = run.headline.cluster
      if (job)
        store.runs.updateHeadline(runId, {
          cluster: { ...job, jobId: null, state: null, reason: null, node: null } as never
        })
      queue.push({ runId, kind: 'train', resume: true, runOn: job?.profile })
      pump()
    },

    stop(runId: number): void | Promise<void> {
      const run = store.runs.summary(runId)
      // Any process may cancel a cluster job; the one following it records the cancellation.
      if (run.headline.cluster?.jobId && isLiveStatus(run.status) && !live(runId))
        return cluster?.cancel(run.headline.cluster.jobId)
      refuseIfElsewhere(run)
      const waiting = queue.findIndex((q) => q.runId === runId && q.kind === 'train')
      if (waiting >= 0) {
        queue.splice(waiting, 1)
        return setStatus(runId, 'stopped')
      }
      if (active?.item.runId === runId && active.item.kind === 'train') return active.job.stop()
      if (cluster?.follows(runId)) return cluster.stop(runId)
      throw new UserError(`Run ${runId} is ${run.status}; there is nothing to stop.`, 'conflict')
    },

    delete(runId: number): void {
      const run = store.runs.summary(runId)
      refuseIfElsewhere(run)
      if (live(runId))
        throw new UserError(
          `Run ${runId} is ${run.status}; stop it before deleting it.`,
          'conflict'
        )
      store.runs.delete(runId)
      deleteRunFiles(dataDir, runId)
      // A cluster run's folder in the shared folder too (its logs stay with their submission).
      if (run.headline.cluster?.folder)
        rmSync(run.headline.cluster.folder, { recursive: true, force: true })
    },

    /** Evaluates the run's saved weights on the test split (after any training ahead in the queue). */
    evaluate(runId: number): Promise<Evaluation> {
      const run = store.runs.detail(runId)
      if (!run.hasCheckpoint)
        throw new UserError(
          `Run ${runId} has no saved weights yet (it saves them at each epoch end); train it first.`,
          'conflict'
        )
      return new Promise<Evaluation>((resolve, reject) => {
        queue.push({ runId, kind: 'evaluate', resume: false, settle: { resolve, reject } })
        pump()
      })
    },

    /** Resolves when the run completes, stops or fails. */
    settled(runId: number): Promise<RunSummary> {
      const run = store.runs.summary(runId)
      if (!live(runId)) return Promise.resolve(run)
      return new Promise((resolve) => waiters.set(runId, [...(waiters.get(runId) ?? []), resolve]))
    },

    /** Whether a run trains or waits here (cluster jobs train elsewhere). */
    busy: (): boolean => active !== null || queue.some((q) => !q.runOn),

    /** The named Slurm profile (refused with the profiles there are when it does not exist). */
    clusterProfile: (name: string) => requireCluster().profile(name),

    /** Follows the cluster jobs no live process follows (after a restart, or a killed CLI). */
    adoptClusterRuns: (): number => cluster?.adopt() ?? 0,

    /** Stops taking work; live runs become interrupted (resumable from their last checkpoint). */
    close(): void {
      closing = true
      // Cluster jobs go on without this process; the next workbench to open follows them.
      cluster?.close()
      const message = 'The app closed while this run was live; resume it from its last checkpoint.'
      for (const item of [...(active ? [active.item] : []), ...queue]) {
        item.settle?.reject(new Error('The app is closing.'))
        // A run that just ended may still be `active` until its promise chain unwinds.
        const stillLive = isLiveStatus(store.runs.summary(item.runId).status)
        if (item.kind === 'train' && stillLive)
          writes.write(() => setStatus(item.runId, 'interrupted', message))
      }
      queue.length = 0
    }
  }
  return service
}

/** How long a run's end is retried while the database is busy (milliseconds). */
const endWriteDeadlineMs = 12 * busyTimeoutMs

/** How often a training run's progress is written to its row (milliseconds). */
const progressWriteInterval = 1000

/** Images a run's epoch goes through: augment adds its generated ones, CAS has only those. */
function imagesPerEpoch(
  recipe: RecipeName,
  config: Record<string, unknown>,
  data: DatasetData
): number {
  const real = data.trainIndices.length
  const ratio = (config.syntheticRatio as number | undefined) ?? 1
  if (recipe === 'augment') return Math.round(real * (1 + ratio))
  if (recipe === 'cas') return Math.round(real * ratio)
  return real
}
