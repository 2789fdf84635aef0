/**
 * Classifiers trained on generated images: synthetic-data augmentation (real training images plus
 * a conditional generator's, at a ratio) and the Classification Accuracy Score (Ravuri & Vinyals,
 * "Classification Accuracy Score for Conditional Generative Models", 2019: generated images only,
 * tested on the real test split). Both are ordinary classifier jobs whose data also names the
 * generator; the engine draws its images at the start (engine/generatedTrainingImages.ts).
 */
import {
  classifierConfigSchema,
  conditionalRecipes,
  type ClassifierConfig,
  type GenerativeRecipe,
  type SyntheticConfig
} from '../../preload/contract'
import type { TrainSpec } from '../engine/engineMessages'
import { classifierTrainingData } from '../datasets/trainingData'
import { UserError } from '../platform/userError'
import type { RunRecordOf } from '../store/runRepository'
import type { RunStore } from '../store/runStore'
import { savedGenerativeRun } from './generativeRuns'
import { runDir } from '../platform/runFiles'
import { selfTrainData } from './selfTraining'

/** Checks the generator can feed a classifier on this dataset; throws a message saying what to pick. */
export function checkGenerator(store: RunStore, datasetId: number, generatorRunId: number): void {
  const generator = store.runs.summary(generatorRunId)
  if (!conditionalRecipes.includes(generator.recipe as GenerativeRecipe))
    throw new UserError(
      `Run ${generatorRunId} is a ${generator.recipe} run; generated training images need labels, ` +
        'so pick a class-conditional generator (cgan, acgan, cvae or gen-bayes).'
    )
  if (generator.datasetId !== datasetId)
    throw new UserError(
      `Generator run ${generatorRunId} learnt another dataset (${generator.datasetName ?? 'deleted'}); ` +
        'pick a generator trained on this one, so its classes and image size match.'
    )
  if (generator.status !== 'completed')
    throw new UserError(
      `Generator run ${generatorRunId} is ${generator.status}; let it complete first.`,
      'conflict'
    )
}

/** The classifier an augment run trains, without its generator: its real-only twin's config. */
export function classifierPart(config: SyntheticConfig): ClassifierConfig {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- dropped on purpose
  const { generatorRunId, syntheticRatio, pseudoLabelShare, ...classifier } = config
  return classifierConfigSchema.parse(classifier)
}

/** A classifier run on the dataset with exactly this config that has not failed, if any. */
export function findRealOnlyTwin(
  store: RunStore,
  datasetId: number,
  config: SyntheticConfig
): number | undefined {
  const wanted = JSON.stringify(classifierPart(config))
  return store.runs
    .list({ limit: 100_000 })
    .filter(
      (r) =>
        r.recipe === 'classifier' &&
        r.datasetId === datasetId &&
        // The seed is on the summary: only same-seed runs need their config read.
        r.seed === config.seed &&
        !['failed', 'stopped', 'interrupted'].includes(r.status)
    )
    .find((r) => JSON.stringify(store.runs.get(r.id).config) === wanted)?.id
}

export function syntheticSpec(
  store: RunStore,
  dataDir: string,
  run: RunRecordOf<'synthetic'>,
  options: { resume: boolean; evaluateOnly: boolean }
): TrainSpec {
  const { config } = run
  if (run.recipe === 'self-train')
    return {
      data: selfTrainData(store, dataDir, run.datasetId!, config),
      config,
      checkpointDir: runDir(dataDir, run.id),
      ...options
    }
  checkGenerator(store, run.datasetId!, config.generatorRunId)
  const data = classifierTrainingData(store, run.datasetId!, config)
  const perClass = Math.max(
    1,
    Math.round((config.syntheticRatio * data.trainIndices.length) / data.classes)
  )
  const { model } = savedGenerativeRun(store, dataDir, config.generatorRunId)
  return {
    data: {
      ...data,
      generated: { model, perClass, seed: config.seed, only: run.recipe === 'cas' }
    },
    config,
    checkpointDir: runDir(dataDir, run.id),
    ...options
  }
}
