import type { Client } from '../../../preload/client'
import {
  augmentationSchema,
  classifierConfigSchema,
  recipeNames,
  syntheticConfigSchema,
  type EventPayload,
  type RecipeName,
  type RequestArgs,
  type RunDetail,
  type SyntheticConfig,
  type SyntheticRecipe
} from '../../../preload/contract'
import { resolve } from 'node:path'
import { UserError } from '../../platform/userError'
import { runSpec } from '../../cluster/specRunner'
import type { CommandContext } from '../context'
import { formatSeconds, note, printJson, progressWriter } from '../output'
import { datasetIdOf, requireEngine, settled, withClient } from '../workbenchClient'
import {
  generativeTrainHelp,
  generativeConfigOf,
  generativeEpochLine,
  generativeEpochs,
  generativeFinal,
  generativeProgressText,
  isGenerativeRecipe,
  validOptions
} from './generativeOptions'

export const trainHelp = `${generativeTrainHelp}
dgmw train --dataset <id|name> [--recipe classifier] [--preset P] [--epochs N]
           [--batch-size B] [--lr X] [--optimizer adam|adamw|sgd] [--schedule S] [--warmup F]
           [--weight-decay X] [--momentum X] [--patience N] [--class-weights] [--min-steps N]
           [--labels-per-class K] [--init-from EXPORT_DIR]
           [--augment flip,crop:4,rotate:10,brightness:0.2,contrast:0.2,cutout:8]
           [--normalisation unit|standardize] [--seed S] [--name N] [--json]
dgmw train --resume <run> [--json]
  Train a classifier and evaluate it on the dataset's test split. Presets: small-cnn,
  deep-cnn, resnet-small. Schedules: constant, step, cosine, one-cycle (--warmup:
  the share of steps rising to the peak rate). --labels-per-class K trains on K labelled
  images per class only (a stratified draw from the training split, fixed by --seed).
  --init-from fine-tunes a model exported as TF.js (\`dgmw export\`): its weights are the start,
  its preset the default (another class count gets a new last layer).
  Progress goes to stderr; Ctrl-C stops after the current step, keeping the last checkpoint
  (resume with --resume).
dgmw train --dataset <id|name> --recipe augment|cas --generator <run> [--synthetic-ratio X]
           [classifier options]
  augment: a classifier on real images plus a conditional generator run's (cgan, acgan, cvae,
  gen-bayes), X generated images per real one (default 1); compare it with --recipe
  classifier on the same seed. cas: the Classification Accuracy Score (Ravuri & Vinyals
  2019): a classifier trained on generated images only (X per real training image), tested
  on the real test split.
dgmw train --dataset <id|name> --recipe self-train --graph <vae-graph run>
           [--pseudo-label-share S] [classifier options]
  A classifier on the vae-graph run's labelled images plus the share S (default 0.5) of each
  class's training images the graph labelled most confidently, with the graph's labels. It
  uses the graph run's label budget and seed; the result exports like any classifier.
dgmw train … --executor slurm --profile NAME
  Train as a job on a Slurm cluster (profiles: \`dgmw slurm profile\`); progress and results
  come back into this history as for a local run. Ctrl-C cancels the job (scancel), keeping its
  last checkpoint; --resume submits it again from there.
dgmw train --run-spec FILE
  What a cluster job runs on its compute node: trains the run described in FILE (written by
  the workbench into the run's folder on the shared filesystem) without opening the run database.`

export const numberOption = (ctx: CommandContext, flag: string): number | undefined => {
  const value = ctx.values[flag]
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n)) throw new UserError(`--${flag} must be a number, not "${value}".`)
  return n
}

/** `flip,crop:4,rotate:10` → an augmentation config (unknown names are refused). */
export function parseAugment(text: string | undefined): unknown {
  if (!text) return undefined
  const names: Record<string, string> = {
    flip: 'flip',
    crop: 'cropPadding',
    rotate: 'rotateDegrees',
    brightness: 'brightness',
    contrast: 'contrast',
    cutout: 'cutout'
  }
  const result: Record<string, unknown> = {}
  for (const part of text.split(',').filter(Boolean)) {
    const [name, value] = part.split(':')
    if (!names[name])
      throw new UserError(`Unknown augmentation "${name}". Use: ${Object.keys(names).join(', ')}.`)
    result[names[name]] = name === 'flip' ? true : Number(value)
  }
  return augmentationSchema.parse(result)
}

/**
 * `--executor slurm --profile NAME`: the run is a job on that Slurm profile; `--executor local`
 * (the default) queues it on this machine.
 */
export function runOnOf(ctx: CommandContext): string | undefined {
  const executor = (ctx.values.executor as string | undefined) ?? 'local'
  const profile = ctx.values.profile as string | undefined
  if (executor === 'local') {
    if (profile)
      throw new UserError('--profile names a Slurm profile: add --executor slurm to use it.')
    return undefined
  }
  if (executor !== 'slurm')
    throw new UserError(`Unknown executor "${executor}": use local (this machine) or slurm.`)
  if (!profile)
    throw new UserError(
      '--executor slurm needs a profile: --profile NAME (see `dgmw slurm profile list`).'
    )
  return profile
}

/** What `runs/start` takes, less where the run goes (the dataset is looked up in the workbench). */
type RunPlan =
  RequestArgs<'runs/start'> extends infer A
    ? A extends unknown
      ? Omit<A, 'datasetId' | 'name' | 'experimentId'>
      : never
    : never

/** The recipe and its config from the flags, checked against the recipe's schema. */
function planOf(ctx: CommandContext, recipe: RecipeName, initFrom: InitFrom): RunPlan {
  if (isGenerativeRecipe(recipe)) return { recipe, config: generativeConfigOf(ctx, numberOption) }
  const fields = classifierFields(ctx, initFrom)
  if (recipe === 'classifier')
    return { recipe, config: validOptions(classifierConfigSchema.safeParse(fields)) }
  return { recipe, config: syntheticConfigOf(ctx, recipe, fields) }
}

/** augment and cas learn from a generator run's images, self-train from a vae-graph run's labels. */
function syntheticConfigOf(
  ctx: CommandContext,
  recipe: SyntheticRecipe,
  classifier: Record<string, unknown>
): SyntheticConfig {
  const selfTrain = recipe === 'self-train'
  if (selfTrain && ctx.values.graph === undefined)
    throw new UserError(
      '--recipe self-train learns from the labels a vae-graph run spread: name it with --graph <run> ' +
        '(train one with `dgmw train --recipe vae-graph --labels-per-class K`).'
    )
  if (!selfTrain && ctx.values.generator === undefined)
    throw new UserError(
      `--recipe ${recipe} learns from a generator's images: name a conditional generator run with --generator <run> (see \`dgmw runs\`).`
    )
  const source = selfTrain
    ? {
        generatorRunId: numberOption(ctx, 'graph'),
        pseudoLabelShare: numberOption(ctx, 'pseudo-label-share')
      }
    : {
        generatorRunId: numberOption(ctx, 'generator'),
        syntheticRatio: numberOption(ctx, 'synthetic-ratio')
      }
  return validOptions(syntheticConfigSchema.safeParse({ ...source, ...classifier }))
}

/** The classifier's flags, as the config schemas take them (unset ones get the defaults). */
function classifierFields(ctx: CommandContext, initFrom: InitFrom): Record<string, unknown> {
  return {
    preset: ctx.values.preset,
    optimizer: ctx.values.optimizer,
    schedule: ctx.values.schedule,
    learningRate: numberOption(ctx, 'lr'),
    weightDecay: numberOption(ctx, 'weight-decay'),
    momentum: numberOption(ctx, 'momentum'),
    warmupFraction: numberOption(ctx, 'warmup'),
    batchSize: numberOption(ctx, 'batch-size'),
    epochs: numberOption(ctx, 'epochs'),
    minSteps: numberOption(ctx, 'min-steps'),
    earlyStoppingPatience: numberOption(ctx, 'patience'),
    classWeights: ctx.values['class-weights'] === true ? true : undefined,
    labelsPerClass: numberOption(ctx, 'labels-per-class'),
    ...initFrom,
    normalisation: ctx.values.normalisation,
    augmentation: parseAugment(ctx.values.augment as string | undefined),
    seed: numberOption(ctx, 'seed')
  }
}

type InitFrom = { initFrom?: string; preset?: unknown }

/** --init-from: the export folder, and its preset unless --preset says otherwise. */
async function initFromOf(ctx: CommandContext, client: Client): Promise<InitFrom> {
  const dir = ctx.values['init-from'] as string | undefined
  if (!dir) return {}
  const exported = await client.request('exports/inspect', { path: resolve(dir) })
  return { initFrom: exported.path, preset: ctx.values.preset ?? exported.preset ?? undefined }
}

const percent = (x: number | undefined): string =>
  x === undefined ? '—' : `${(x * 100).toFixed(2)}%`

function progressLine(p: EventPayload<'train/progress'>, generative: boolean): string {
  const width = 20
  const done = p.totalSteps ? p.step / p.totalSteps : 0
  const bar = '#'.repeat(Math.round(done * width)).padEnd(width, '.')
  const eta = p.etaSeconds === null ? '' : ` · ${formatSeconds(p.etaSeconds)} left`
  const losses = generative ? generativeProgressText(p) : `loss ${p.metrics.loss.toFixed(4)}`
  return `epoch ${p.epoch + 1}/${p.epochs} [${bar}] ${(done * 100).toFixed(0)}% · ${losses} · ${Math.round(p.imagesPerSecond)} img/s${eta}`
}

function epochLine(e: EventPayload<'train/epoch'>, epochs: number): string {
  const m = e.metrics
  const val =
    m['val/loss'] === undefined
      ? ''
      : ` · val loss ${m['val/loss'].toFixed(4)} acc ${percent(m['val/accuracy'])}`
  return `epoch ${e.epoch + 1}/${epochs}: train loss ${m['train/loss'].toFixed(4)} acc ${percent(m['train/accuracy'])}${val} · ${Math.round(m.images_per_second)} img/s`
}

export async function trainCommand(ctx: CommandContext): Promise<number> {
  // A compute node's job: no run database, only the run's folder on the shared filesystem.
  const runSpecPath = ctx.values['run-spec']
  if (typeof runSpecPath === 'string')
    return (await runSpec(resolve(runSpecPath), (line) => note(line))).code
  const runOn = runOnOf(ctx)
  const recipe = (ctx.values.recipe as string | undefined) ?? 'classifier'
  if (!(recipeNames as readonly string[]).includes(recipe))
    throw new UserError(`Unknown recipe "${recipe}". Recipes: ${recipeNames.join(', ')}.`)
  const resume = ctx.values.resume as string | undefined
  if (!resume && !ctx.values.dataset)
    throw new UserError('Say which dataset to train on: --dataset <id|name> (see `dgmw datasets`).')
  if (resume && !/^\d+$/.test(resume))
    throw new UserError(`--resume takes a run id, not "${resume}".`)
  // It waits for its run: a cluster run nobody follows (`--resume` of one) is followed here.
  return withClient(
    ctx,
    async (client) => {
      const plan = resume
        ? undefined
        : planOf(ctx, recipe as RecipeName, await initFromOf(ctx, client))
      // A cluster job trains on its node's engine; this one only records it.
      if (!runOn) await requireEngine(client)
      const runId = plan
        ? (
            await client.request('runs/start', {
              ...plan,
              datasetId: await datasetIdOf(client, ctx.values.dataset as string),
              name: ctx.values.name as string | undefined,
              ...(runOn ? { runOn } : {})
            })
          ).id
        : Number(resume)
      if (!plan) await client.request('runs/resume', { id: runId })
      const run = await client.request('runs/get', { id: runId })
      const epochs = (run.config.epochs as number) ?? 1
      const generative = isGenerativeRecipe(run.recipe)
      const cluster = run.headline.cluster
      const where = cluster
        ? `Slurm profile ${cluster.profile}`
        : `backend ${(await client.request('engine/status')).active}`
      note(`Run ${run.id}: ${run.recipe} on ${run.datasetName}, ${where}`)
      const planned = run.headline.trainingLength
      if (planned && !resume) note(`Training length: ${planned}`)
      const progress = progressWriter()
      const unsubscribe = [
        client.on('train/progress', (p) => {
          if (p.runId === run.id) progress.update(progressLine(p, generative))
        }),
        client.on('train/epoch', (e) => {
          if (e.runId === run.id)
            progress.print(generative ? generativeEpochLine(e, epochs) : epochLine(e, epochs))
        })
      ]
      let interrupts = 0
      const onInterrupt = (): void => {
        if (interrupts++ > 0) process.exit(130)
        note(
          '\nStopping after the current step (the last checkpoint is kept); Ctrl-C again to quit now.'
        )
        client.request('runs/stop', { id: run.id }).catch((error: Error) => note(error.message))
      }
      process.on('SIGINT', onInterrupt)
      try {
        const final = await settled(client, run.id)
        // Augment runs are compared with their real-only twin (queued before them).
        const twin = final.headline.realOnlyRunId
        if (twin !== undefined) await settled(client, twin)
        return await report(ctx, client, final)
      } finally {
        process.off('SIGINT', onInterrupt)
        for (const off of unsubscribe) off()
        progress.end()
      }
    },
    { adoptClusterRuns: true }
  )
}

/** An augment run's comparison: the same classifier on real images only. */
async function realOnly(
  client: Client,
  twin: number | undefined
): Promise<{ realOnly?: { runId: number; testAccuracy: number | null } }> {
  if (twin === undefined) return {}
  const run = await client.request('runs/get', { id: twin })
  return { realOnly: { runId: twin, testAccuracy: run.headline.testAccuracy ?? null } }
}

async function report(ctx: CommandContext, client: Client, final: RunDetail): Promise<number> {
  const detail = await client.request('runs/get', { id: final.id })
  const evaluation = await client.request('runs/evaluation', { id: final.id })
  const epochs = (detail.metrics['train/loss'] ?? []).map((point) => {
    const at = (name: string): number | undefined =>
      detail.metrics[name]?.find((p) => p.epoch === point.epoch)?.value
    return {
      epoch: point.epoch,
      step: point.step,
      trainLoss: point.value,
      trainAccuracy: at('train/accuracy'),
      valLoss: at('val/loss'),
      valAccuracy: at('val/accuracy'),
      learningRate: at('epoch/lr'),
      imagesPerSecond: at('images_per_second')
    }
  })
  const seconds =
    detail.startedAt && detail.endedAt
      ? (Date.parse(detail.endedAt) - Date.parse(detail.startedAt)) / 1000
      : null
  const generative = isGenerativeRecipe(detail.recipe)
  const twin = await realOnly(client, detail.headline.realOnlyRunId)
  const finalNumbers = generative
    ? {
        ...generativeFinal(detail),
        epochsDone: detail.headline.epochsDone ?? 0,
        seconds
      }
    : {
        testAccuracy: evaluation?.accuracy ?? null,
        testLoss: evaluation?.loss ?? null,
        macroF1: evaluation?.macro.f1 ?? null,
        epochsDone: detail.headline.epochsDone ?? 0,
        bestEpoch: detail.headline.bestEpoch ?? null,
        seconds,
        ...twin
      }
  if (ctx.json) {
    printJson({
      run: {
        id: detail.id,
        status: detail.status,
        backend: detail.backend,
        recipe: detail.recipe,
        name: detail.name,
        dataset: detail.datasetName,
        seed: detail.seed,
        config: detail.config,
        error: detail.error
      },
      final: finalNumbers,
      epochs: generative ? generativeEpochs(detail) : epochs
    })
  } else {
    console.log(
      `Run ${detail.id} ${detail.status}` +
        (evaluation
          ? `: test accuracy ${percent(evaluation.accuracy)} on ${evaluation.count} images`
          : '') +
        (twin.realOnly
          ? ` (real images only, run ${twin.realOnly.runId}: ${percent(twin.realOnly.testAccuracy ?? undefined)})`
          : '') +
        (generative && detail.headline.fd !== undefined && detail.status === 'completed'
          ? `: FD (dataset classifier) ${detail.headline.fd.toFixed(2)}` +
            (detail.headline.fdUntrained !== undefined
              ? ` (untrained generator: ${detail.headline.fdUntrained.toFixed(2)})`
              : '')
          : '') +
        (seconds !== null ? ` in ${formatSeconds(seconds)}` : '')
    )
    if (detail.error) console.log(detail.error)
  }
  return detail.status === 'completed' ? 0 : detail.status === 'stopped' ? 130 : 1
}
