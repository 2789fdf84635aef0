/**
 * The compare tab's result rows per recipe family, and which evaluator measured each generator's
 * scores: a classifier is judged by accuracy and loss, a GAN by FD and its D/G losses, a VAE by FD
 * and its reconstruction and KL terms. Pure, so the choice of rows is unit-tested.
 */
import {
  classifyingRecipes,
  conditionalRecipes,
  isGenerative,
  isVae,
  type GenerativeRecipe,
  type GeneratorScores,
  type MetricPoint,
  type RunDetail
} from '../../preload/contract'
import { formatPercent, runFd } from './runFilters'

export type RecipeFamily = 'classifier' | 'gan' | 'vae' | 'vaegan'

export function recipeFamily(recipe: string): RecipeFamily {
  if (!isGenerative(recipe)) return 'classifier'
  if (recipe === 'vaegan') return 'vaegan'
  return isVae(recipe) ? 'vae' : 'gan'
}

export interface MetricRow {
  key: string
  label: string
  /** Which runs the row applies to; a run it does not apply to shows "n/a", not a blank. */
  appliesTo: (run: RunDetail) => boolean
  value: (run: RunDetail) => number | undefined
  format: (run: RunDetail) => string
  /** Which way is better; rows without one (epochs, losses of adversaries) are facts, not scores. */
  better?: 'max' | 'min'
}

const pct = (v: number | undefined): string => formatPercent(v, 2)
const fixed = (digits: number) => (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits)

/** The last value of an epoch series (`train/d/loss`), else of its per-step twin (`d/loss`). */
export function lastValue(run: RunDetail, name: string): number | undefined {
  return (run.metrics[`train/${name}`] ?? run.metrics[name])?.at(-1)?.value
}

/** FD after training (none while a run still trains: the headline holds the untrained one). */
export const trainedFd = (run: RunDetail): number | undefined => runFd(run)

const generative = (run: RunDetail): boolean => isGenerative(run.recipe)
const classifies = (run: RunDetail): boolean => classifyingRecipes.includes(run.recipe)
const family =
  (...families: RecipeFamily[]) =>
  (run: RunDetail): boolean =>
    families.includes(recipeFamily(run.recipe))
const always = (): boolean => true

/** Every row the compare tab knows, in display order. */
export const metricRows: MetricRow[] = [
  {
    key: 'testAccuracy',
    label: 'Test accuracy',
    appliesTo: classifies,
    value: (r) => r.headline.testAccuracy,
    format: (r) => pct(r.headline.testAccuracy),
    better: 'max'
  },
  {
    key: 'valAccuracy',
    label: 'Validation accuracy',
    appliesTo: family('classifier'),
    value: (r) => r.headline.valAccuracy,
    format: (r) => pct(r.headline.valAccuracy),
    better: 'max'
  },
  {
    key: 'valLoss',
    label: 'Validation loss',
    appliesTo: family('classifier'),
    value: (r) => r.headline.valLoss,
    format: (r) => fixed(4)(r.headline.valLoss),
    better: 'min'
  },
  {
    key: 'trainAccuracy',
    label: 'Training accuracy',
    appliesTo: family('classifier'),
    value: (r) => r.headline.trainAccuracy,
    format: (r) => pct(r.headline.trainAccuracy),
    better: 'max'
  },
  {
    key: 'trainLoss',
    label: 'Training loss',
    appliesTo: family('classifier'),
    value: (r) => r.headline.trainLoss,
    format: (r) => fixed(4)(r.headline.trainLoss),
    better: 'min'
  },
  {
    key: 'fd',
    label: 'FD (dataset classifier)',
    appliesTo: generative,
    value: trainedFd,
    format: (r) => fixed(1)(trainedFd(r)),
    better: 'min'
  },
  {
    key: 'fdUntrained',
    label: 'FD of the untrained generator',
    appliesTo: generative,
    value: (r) => r.headline.fdUntrained,
    format: (r) => {
      // Measured at step 0 by the run's first evaluator: say so once another one took over.
      const by = r.headline.fdUntrainedEvaluatorRunId
      const text = fixed(1)(r.headline.fdUntrained)
      return by !== undefined && by !== evaluatorOf(r) ? `${text} (by #${by})` : text
    }
  },
  {
    key: 'classifierScore',
    label: 'Classifier score',
    appliesTo: generative,
    value: (r) => r.headline.classifierScore,
    format: (r) => fixed(2)(r.headline.classifierScore),
    better: 'max'
  },
  {
    key: 'conditionalAccuracy',
    label: 'Conditional accuracy',
    appliesTo: (r) => conditionalRecipes.includes(r.recipe as GenerativeRecipe),
    value: (r) => r.headline.conditionalAccuracy,
    format: (r) => pct(r.headline.conditionalAccuracy),
    better: 'max'
  },
  {
    key: 'reconstruction',
    label: 'Reconstruction loss',
    appliesTo: family('vae', 'vaegan'),
    value: (r) => lastValue(r, 'vae/reconstruction'),
    format: (r) => fixed(4)(lastValue(r, 'vae/reconstruction')),
    better: 'min'
  },
  {
    key: 'kl',
    label: 'KL divergence',
    appliesTo: family('vae', 'vaegan'),
    value: (r) => lastValue(r, 'vae/kl'),
    format: (r) => fixed(4)(lastValue(r, 'vae/kl'))
  },
  {
    key: 'dLoss',
    label: 'D loss',
    appliesTo: family('gan', 'vaegan'),
    value: (r) => lastValue(r, 'd/loss'),
    format: (r) => fixed(4)(lastValue(r, 'd/loss'))
  },
  {
    key: 'gLoss',
    label: 'G loss',
    appliesTo: family('gan', 'vaegan'),
    value: (r) => lastValue(r, 'g/loss'),
    format: (r) => fixed(4)(lastValue(r, 'g/loss'))
  },
  {
    key: 'imagesPerSecond',
    label: 'Images / s',
    appliesTo: always,
    value: (r) => r.headline.imagesPerSecond,
    format: (r) =>
      r.headline.imagesPerSecond === undefined
        ? '—'
        : Math.round(r.headline.imagesPerSecond).toLocaleString(),
    better: 'max'
  }
]

/** The rows that apply to at least one of the runs: a set of generators shows no accuracy rows. */
export function rowsFor(runs: readonly RunDetail[]): MetricRow[] {
  return metricRows.filter((row) => runs.some((run) => row.appliesTo(run)))
}

/** The classifier run behind a generator's scores (undefined: not measured, or a classifier). */
export function evaluatorOf(run: RunDetail): number | undefined {
  if (!generative(run) || run.headline.fd === undefined) return undefined
  return (
    run.headline.evaluatorRunId ??
    (typeof run.config.evaluatorRunId === 'number' ? run.config.evaluatorRunId : undefined)
  )
}

export interface EvaluatorGroups {
  /** Evaluator run id → the compared runs it measured, in the runs' order. */
  groups: Map<number, number[]>
  /** Measured generators whose evaluator is not known (measured before it was recorded). */
  unknown: number[]
  /** True when the scores of two runs came from different classifiers: they do not compare. */
  mixed: boolean
  /** The warning to show beside any FD or classifier score ('' when they compare). */
  warning: string
}

/** Groups the generators by the classifier that measured them, with the warning mixed ones need. */
export function evaluatorGroups(runs: readonly RunDetail[]): EvaluatorGroups {
  const groups = new Map<number, number[]>()
  const unknown: number[] = []
  for (const run of runs) {
    if (!generative(run) || run.headline.fd === undefined) continue
    const evaluator = evaluatorOf(run)
    if (evaluator === undefined) unknown.push(run.id)
    else groups.set(evaluator, [...(groups.get(evaluator) ?? []), run.id])
  }
  const mixed = groups.size + (unknown.length > 0 ? 1 : 0) > 1
  const listed = [...groups].map(
    ([evaluator, ids]) => `${ids.map((id) => `#${id}`).join(', ')} by classifier run #${evaluator}`
  )
  if (unknown.length)
    listed.push(`${unknown.map((id) => `#${id}`).join(', ')} by an unrecorded classifier`)
  return {
    groups,
    unknown,
    mixed,
    warning: mixed
      ? `These scores come from different classifiers (${listed.join('; ')}), so they do not compare: measure all with one evaluator.`
      : ''
  }
}

/** The evaluator to offer for "measure all": the one that measured the most runs (ties: lowest id). */
export function suggestedEvaluator(groups: EvaluatorGroups): number | undefined {
  let best: [number, number] | undefined
  for (const [evaluator, ids] of groups.groups)
    if (!best || ids.length > best[1] || (ids.length === best[1] && evaluator < best[0]))
      best = [evaluator, ids.length]
  return best?.[0]
}

/** The steps a run took: the last step any of its series reached. */
export function stepsTaken(run: RunDetail): number | undefined {
  let last = -1
  for (const points of Object.values(run.metrics))
    for (const p of points) if (p.step > last) last = p.step
  return last > 0 ? last : undefined
}

export interface CompareChartSpec {
  series: string
  title: string
  /** The runs drawn: those of the family the chart is for (or measured by the one evaluator). */
  runIds: number[]
}

/**
 * The curves a comparison wants, per family of the runs in it: a classifier's training and
 * validation curves, a GAN's D and G losses, a VAE's loss and reconstruction, and one FD chart per
 * evaluator, so scores from different classifiers never share an axis.
 */
export function chartsFor(runs: readonly RunDetail[]): CompareChartSpec[] {
  const of = (...families: RecipeFamily[]): number[] =>
    runs.filter((r) => families.includes(recipeFamily(r.recipe))).map((r) => r.id)
  const classifiers = of('classifier')
  const gans = of('gan', 'vaegan')
  const vaes = of('vae')
  const specs: CompareChartSpec[] = []
  const add = (series: string, title: string, runIds: number[]): void => {
    if (runIds.length) specs.push({ series, title, runIds })
  }
  add('loss', 'Training loss per step', [...classifiers, ...vaes])
  add('val/loss', 'Validation loss per epoch', classifiers)
  add('val/accuracy', 'Validation accuracy per epoch', classifiers)
  add('d/loss', 'D loss per step', gans)
  add('g/loss', 'G loss per step', gans)
  add('vae/reconstruction', 'Reconstruction loss per step', [...vaes, ...of('vaegan')])
  for (const evaluator of measuringEvaluators(runs))
    add(
      fdSeries(evaluator),
      `FD measured with classifier run #${evaluator}`,
      runs.filter((r) => r.metrics[fdSeries(evaluator)]?.length).map((r) => r.id)
    )
  return specs
}

/** Every classifier run that measured any of the runs (their `score/fd@id` series), lowest first. */
export function measuringEvaluators(runs: readonly RunDetail[]): number[] {
  const ids = new Set<number>()
  for (const run of runs)
    for (const name of Object.keys(run.metrics))
      if (name.startsWith('score/fd@')) ids.add(Number(name.slice('score/fd@'.length)))
  return [...ids].sort((a, b) => a - b)
}

/** The name under which one evaluator's FD measurements of a run are charted. */
export const fdSeries = (evaluator: number): string => `score/fd@${evaluator}`

/**
 * A run's metrics plus one FD series per evaluator (`score/fd@3`), from its stored measurements:
 * the stored `score/fd` series mixes evaluators when a run was measured again with another one.
 */
export function withFdByEvaluator(
  metrics: Record<string, MetricPoint[]>,
  measured: readonly GeneratorScores[]
): Record<string, MetricPoint[]> {
  const result = { ...metrics }
  for (const m of [...measured].sort((a, b) => a.step - b.step))
    (result[fdSeries(m.evaluatorRunId)] ??= []).push({ step: m.step, epoch: null, value: m.fd })
  return result
}

/**
 * The epoch axis' range: at least [1, 2], so a one-epoch run does not get an axis of one value
 * that the chart would label "1 1 1".
 */
export function epochAxisMax(lastEpochs: readonly number[]): number {
  return Math.max(2, ...lastEpochs)
}
