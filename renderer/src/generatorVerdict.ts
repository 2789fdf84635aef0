/**
 * Is a generator better than its untrained self? The rule behind the "worse than untrained" flag of
 * the scores card and the compare tab, and what to try: the steps each recipe needed here.
 */
import type { RunHeadline } from '../../preload/contract'

/**
 * Steps (batches of 64) a recipe with the workbench's defaults needed on 1,600 Fashion-MNIST
 * training images (a 2,000-image import) before its FD (dataset classifier) fell clearly below the
 * untrained generator's, and the FD then. Measured on this project's 2-core CPU box (wasm backend)
 * by scripts/measureStepsToBeatUntrained.sh, with a small-cnn evaluator of 74.5% test accuracy;
 * bench/RESULTS.md has the whole table ("How many steps a generator needs").
 */
export const measuredSteps: Record<string, { steps: number; images: number; note: string }> = {
  dcgan: {
    steps: 200,
    images: 1600,
    note: 'DCGAN: FD 130.6 untrained → 107.5 after 25 steps, → 54.1 after 200'
  },
  vae: {
    steps: 200,
    images: 1600,
    note: 'VAE: FD 141.9 untrained → 88.1 after 25 steps, → 45.3 after 200'
  }
}

/** GANs share DCGAN's measurement, VAEs the VAE's: the nearest recipe that was measured. */
const measuredFamily = (recipe: string): string =>
  ['vae', 'cvae', 'gen-bayes', 'vae-graph'].includes(recipe) ? 'vae' : 'dcgan'

/** FD must fall at least this share below the untrained FD to count as clearly better. */
export const clearImprovement = 0.1
/** A classifier score this close to 1 means the evaluator sees one class or noise in every sample. */
export const flatClassifierScore = 1.5

export interface GeneratorVerdict {
  /** 'worse': no better than untrained; 'unknown': nothing to compare (not measured). */
  kind: 'ok' | 'worse' | 'unknown'
  /** What is wrong, in one sentence ('' when ok or unknown). */
  problem: string
  /** What to try, in one sentence ('' when ok or unknown). */
  advice: string
}

/**
 * The verdict on a generator from its headline: worse when its FD is not at least 10% below the
 * untrained generator's measured with the same evaluator, or its classifier score is near 1.
 * `steps` is how many optimisation steps it trained.
 */
export function generatorVerdict(
  recipe: string,
  headline: RunHeadline,
  steps: number | undefined
): GeneratorVerdict {
  const { fd, fdUntrained, classifierScore } = headline
  const sameEvaluator =
    headline.evaluatorRunId === undefined ||
    headline.fdUntrainedEvaluatorRunId === undefined ||
    headline.evaluatorRunId === headline.fdUntrainedEvaluatorRunId
  const problems: string[] = []
  if (fd !== undefined && fdUntrained !== undefined && sameEvaluator) {
    if (fd >= fdUntrained)
      problems.push(
        `FD ${fd.toFixed(1)} is worse than the untrained generator's ${fdUntrained.toFixed(1)}`
      )
    else if (fd > fdUntrained * (1 - clearImprovement))
      problems.push(
        `FD ${fd.toFixed(1)} is not clearly better than the untrained generator's ${fdUntrained.toFixed(1)}`
      )
  }
  if (classifierScore !== undefined && classifierScore < flatClassifierScore)
    problems.push(
      `a classifier score of ${classifierScore.toFixed(2)} (1 is the floor) says the evaluator sees no variety of classes`
    )
  if (problems.length === 0)
    return {
      kind: fd === undefined && classifierScore === undefined ? 'unknown' : 'ok',
      problem: '',
      advice: ''
    }
  const problem = problems.join('; ')
  return {
    kind: 'worse',
    problem: problem[0].toUpperCase() + problem.slice(1) + '.',
    advice: adviceFor(recipe, steps)
  }
}

/**
 * What to try: the steps the nearest measured recipe needed here, beside what this run took. Only
 * the measured size is quoted; how the need grows with the dataset was not measured.
 */
export function adviceFor(recipe: string, steps: number | undefined): string {
  const measured = measuredSteps[measuredFamily(recipe)]
  const had = steps === undefined ? '' : ` This run took ${steps.toLocaleString()} steps.`
  return (
    `Train longer (more epochs, or a minimum of steps): with the default settings on ` +
    `${measured.images.toLocaleString()} Fashion-MNIST training images, ${measured.note} ` +
    `(measured on this workbench); give it at least ${measured.steps.toLocaleString()} steps.${had}`
  )
}
