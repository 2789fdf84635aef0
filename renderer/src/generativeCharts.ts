/** Pure helpers of a generative run's charts: which series each recipe logs, and how to draw them. */
import type { GenerativeRecipe, MetricPoint } from '../../preload/contract'
import type { XY } from './runLive'

export interface ChartLine {
  /** Legend name. */
  name: string
  /** Series name in the run's metrics. */
  metric: string
}

export interface ChartSpec {
  title: string
  lines: ChartLine[]
  /** Left out while it has no points (FD needs a classifier; the scores card says so). */
  optional?: boolean
  /** Values in [0, 1], shown as percentages. */
  percent?: boolean
}

const ganLosses = (recipe: GenerativeRecipe): ChartSpec => ({
  title:
    recipe === 'wgan-gp'
      ? 'Critic and generator loss per step'
      : 'Discriminator and generator loss per step',
  lines: [
    { name: recipe === 'wgan-gp' ? 'critic' : 'discriminator', metric: 'd/loss' },
    { name: 'generator', metric: 'g/loss' },
    ...(recipe === 'acgan' ? [{ name: 'D class loss', metric: 'd/class_loss' }] : [])
  ]
})

/** The KL term is an order of magnitude below reconstruction, so it gets its own y-axis. */
const klChart: ChartSpec = {
  title: 'KL divergence per step',
  lines: [{ name: 'KL', metric: 'vae/kl' }]
}

/**
 * The per-step charts of a recipe, each network's losses together (D against G shows who is
 * winning), then sample diversity (falls on mode collapse) and FD at each measurement.
 */
export function generativeCharts(recipe: GenerativeRecipe): ChartSpec[] {
  const charts: ChartSpec[] = []
  // The generative Bayes classifier trains a conditional VAE: the same losses as one.
  if (['vae', 'cvae', 'gen-bayes', 'vae-graph'].includes(recipe)) {
    charts.push(
      {
        title: 'VAE loss per step',
        lines: [
          { name: 'total', metric: 'loss' },
          { name: 'reconstruction', metric: 'vae/reconstruction' }
        ]
      },
      klChart
    )
  } else if (recipe === 'vaegan') {
    charts.push(
      {
        title: 'Discriminator and decoder loss per step',
        lines: [
          { name: 'discriminator', metric: 'd/loss' },
          { name: 'decoder', metric: 'g/loss' }
        ]
      },
      {
        title: 'Encoder loss per step',
        lines: [
          { name: 'encoder total', metric: 'loss' },
          { name: 'feature reconstruction', metric: 'vae/feature_reconstruction' },
          { name: 'KL', metric: 'vae/kl' }
        ]
      }
    )
  } else {
    charts.push(ganLosses(recipe))
    if (recipe === 'sgan')
      charts.push(
        {
          title: 'Discriminator: labelled and unsupervised loss',
          lines: [
            { name: 'supervised (labelled)', metric: 'd/supervised_loss' },
            { name: 'unsupervised (real vs fake)', metric: 'd/unsupervised_loss' }
          ]
        },
        {
          title: 'Accuracy on labelled batches',
          lines: [{ name: 'labelled accuracy', metric: 'd/labelled_accuracy' }],
          percent: true
        }
      )
    if (recipe === 'wgan-gp')
      charts.push({
        title: 'Wasserstein estimate and gradient penalty',
        lines: [
          { name: 'Wasserstein estimate', metric: 'd/wasserstein' },
          { name: 'gradient penalty', metric: 'd/gradient_penalty' }
        ]
      })
  }
  charts.push(
    { title: 'Sample diversity', lines: [{ name: 'diversity', metric: 'samples/diversity' }] },
    {
      title: 'FD (dataset classifier)',
      lines: [{ name: 'FD', metric: 'score/fd' }],
      optional: true
    }
  )
  return charts
}

/**
 * Per-step points with one value per step, the latest winning: sample diversity is stored at
 * each snapshot and again at the epoch's end (same step), and a score measured again replaces the
 * one at that step.
 */
export function uniqueStepPoints(points: readonly MetricPoint[] = []): XY[] {
  const out: XY[] = []
  for (const p of points) {
    const last = out[out.length - 1]
    if (last && last[0] === p.step) last[1] = p.value
    else out.push([p.step, p.value])
  }
  return out
}

/** The losses a progress line shows: D and G for adversarial recipes, else the one loss. */
export function progressLosses(
  metrics: Record<string, number>
): { label: string; value: number | undefined }[] {
  const shown = [
    { key: 'd/loss', label: 'D loss' },
    { key: 'g/loss', label: 'G loss' },
    { key: 'loss', label: 'loss' }
  ].filter((m) => metrics[m.key] !== undefined)
  if (shown.length === 0) return [{ label: 'loss', value: undefined }]
  return shown.map((m) => ({ label: m.label, value: metrics[m.key] }))
}
