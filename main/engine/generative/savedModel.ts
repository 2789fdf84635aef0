/**
 * A saved generative run's model, rebuilt from its config with its latest weights: what the short
 * tasks, exports and generated training images start from. A leaf, so none of them reaches into
 * the trainer for it.
 */
import { existsSync } from 'node:fs'
import { buildGenerativeModel, disposeGenerativeModel } from '../models/generative'
import type { GenerativeModel } from '../models/generative/recipe'
import type { SavedGenerativeModel } from '../engineMessages'
import { restoreGenerative } from './generativeTrainer'

/** Rebuilds a saved run's model and loads its latest weights (caller disposes it). */
export async function loadSaved(saved: SavedGenerativeModel): Promise<GenerativeModel> {
  if (!existsSync(saved.checkpointFile))
    throw new Error('This run has no saved weights yet (they are saved at each epoch end).')
  const { classes, ...shape } = saved.shape
  const model = buildGenerativeModel({
    recipe: saved.recipe,
    shape,
    classes,
    config: saved.config,
    totalSteps: 1
  })
  try {
    await restoreGenerative(saved.checkpointFile, model, false)
  } catch (error) {
    disposeGenerativeModel(model)
    throw error
  }
  return model
}

/** Runs `use` on the saved model and disposes the model whatever happens. */
export async function withSavedModel<T>(
  saved: SavedGenerativeModel,
  use: (model: GenerativeModel) => Promise<T>
): Promise<T> {
  const model = await loadSaved(saved)
  try {
    return await use(model)
  } finally {
    disposeGenerativeModel(model)
  }
}
