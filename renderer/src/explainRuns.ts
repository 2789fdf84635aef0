/** Which runs of a dataset can take part in an explanation: conditional VAEs and classifiers. */
import { classifyingRecipes, conditionalVaeRecipes, type RunSummary } from '../../preload/contract'
import { client } from './client'

async function completedRuns(datasetId: number): Promise<RunSummary[]> {
  const runs = await client.request('runs/list', { status: 'completed' })
  return runs.filter((r) => r.datasetId === datasetId)
}

/** The dataset's conditional VAEs (cvae, gen-bayes), newest first: they decode one image as every class. */
export async function conditionalVaeRuns(datasetId: number): Promise<RunSummary[]> {
  return (await completedRuns(datasetId)).filter((r) =>
    (conditionalVaeRecipes as readonly string[]).includes(r.recipe)
  )
}

/** The dataset's classifying runs, best test accuracy first: what judges generated images. */
export async function classifyingRuns(datasetId: number): Promise<RunSummary[]> {
  return (await completedRuns(datasetId))
    .filter((r) => classifyingRecipes.includes(r.recipe))
    .sort((a, b) => (b.headline.testAccuracy ?? 0) - (a.headline.testAccuracy ?? 0))
}

export const runLabel = (r: RunSummary): string =>
  `#${r.id} ${r.name ?? r.recipe}` +
  (r.headline.testAccuracy !== undefined && r.headline.testAccuracy !== null
    ? ` (${(r.headline.testAccuracy * 100).toFixed(1)}%)`
    : '')
