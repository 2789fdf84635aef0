/**
 * Is a generator better than its untrained self? The rule behind the "worse than untrained" flag of
 * the scores card and the compare tab, and what to try: the steps each recipe needed here.
 */
import type { RunHeadline } from '../../preload/contract'

/** One recipe's measurement: the fewest steps that passed the verdict below, and a longer run. */
export interface MeasuredNeed {
  recipe: string
  /** Training images (the split of a 2,000-image import) and the untrained generator's FD. */
  images: number
  untrainedFd: number
  /** The shortest measured length that was clearly better than untrained, with a varied score. */
  steps: number
  fd: number
  classifierScore: number
  /** The longest measured length, to say that more steps keep helping. */
  longer: { steps: number; fd: number }
}

/**
 * Measured, not guessed: the recipes' defaults (batch 64) on 1,600 Fashion-MNIST training images
 * (200 per class of the training set, a 2,000-image import), trained for 25 to 300 steps (VAE: to 200) and each
 * scored at its end by one small-cnn evaluator (74.5% test accuracy), on this project's 2-core CPU
 * box with the wasm backend. Re-measure with scripts/measureStepsToBeatUntrained.sh; the whole
 * table is in bench/RESULTS.md ("How many steps a generator needs"). Shorter lengths failed:
 * DCGAN at 75 steps had FD 79.9 but a classifier score of 1.14; the VAE at 25 steps FD 136.9.
 */
export const measuredSteps: Record<'dcgan' | 'vae', MeasuredNeed> = {
  dcgan: {
    recipe: 'DCGAN',
    images: 1600,
    untrainedFd: 130.6,
    steps: 125,
    fd: 43.5,
    classifierScore: 1.81,
    longer: { steps: 300, fd: 15.5 }
  },
  vae: {
    recipe: 'VAE',
    images: 1600,
    untrainedFd: 131.0,
    steps: 75,
    fd: 68.6,
    classifierScore: 1.64,
    longer: { steps: 200, fd: 35.3 }
  }
}

/** GANs share DCGAN's measurement, VAEs the VAE's: the nearest recipe that was measured. */
const measuredFamily = (recipe: string): 'dcgan' | 'vae' =>
  ['vae', 'cvae', 'gen-bayes', 'vae-graph'].includes(recipe) ? 'vae' : 'dcgan'

/** FD must fall at least this share below the untrained FD to count as clearly better. */
export const clearImprovement = 0.1
/** A classifier score this close to 1 means the evaluator sees one class or noise in every sample. */
export const flatClassifierScore = 1.5

export interface GeneratorVerdict {
  /** 'worse': no better than untrained; 'unknown': nothing to compare (not measured). */
  kind: 'ok' | 'worse' | 'unknown'
  /** The flag's headline ('' when ok or unknown). */
  title: string
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
  let fdProblem = false
  if (fd !== undefined && fdUntrained !== undefined && sameEvaluator) {
    fdProblem = fd > fdUntrained * (1 - clearImprovement)
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
      title: '',
      problem: '',
      advice: ''
    }
  const problem = problems.join('; ')
  return {
    kind: 'worse',
    title: fdProblem
      ? 'No better than the untrained generator.'
      : 'Samples the evaluator cannot tell apart.',
    problem: problem[0].toUpperCase() + problem.slice(1) + '.',
    advice: adviceFor(recipe, steps)
  }
}

/**
 * What to try: the steps the nearest measured recipe needed here, beside what this run took. Only
 * the measured size is quoted; how the need grows with the dataset was not measured.
 */
export function adviceFor(recipe: string, steps: number | undefined): string {
  const m = measuredSteps[measuredFamily(recipe)]
  const had = steps === undefined ? '' : ` This run took ${steps.toLocaleString()} steps.`
  return (
    `Train longer: with default settings on ${m.images.toLocaleString()} Fashion-MNIST images, ` +
    `a ${m.recipe} measured here first beat its untrained FD (${m.untrainedFd}) at ` +
    `${m.steps} steps (FD ${m.fd}, score ${m.classifierScore}) and reached FD ${m.longer.fd} at ` +
    `${m.longer.steps}; give it at least ${m.steps} steps (more epochs, or a minimum of steps).${had}`
  )
}
