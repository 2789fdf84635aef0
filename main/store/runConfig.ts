/**
 * A run's recipe with its config, parsed by its recipe family's schema once, where the run is read
 * from the store: everything after gets the typed config the run was started with.
 */
import { z } from 'zod'
import {
  classifierConfigSchema,
  generativeConfigSchema,
  isGenerative,
  isSynthetic,
  syntheticConfigSchema,
  type ClassifierConfig,
  type GenerativeConfigInput,
  type GenerativeRecipe,
  type SyntheticConfig,
  type SyntheticRecipe
} from '../../preload/contract'
import { UserError } from '../platform/userError'

/** The recipe and its config, told apart by `family`. */
export type RunRecipe =
  | { family: 'classifier'; recipe: 'classifier'; config: ClassifierConfig }
  /** As stored: the recipe's defaults are filled in by `resolveGenerativeConfig`. */
  | { family: 'generative'; recipe: GenerativeRecipe; config: GenerativeConfigInput }
  | { family: 'synthetic'; recipe: SyntheticRecipe; config: SyntheticConfig }

/** Parses a stored config by its recipe's schema; throws when it does not fit. */
export function parseRunRecipe(recipe: string, config: unknown, runId?: number): RunRecipe {
  try {
    return parseByFamily(recipe, config)
  } catch (error) {
    if (!(error instanceof z.ZodError)) throw error
    // A config the schema refuses was written by another version of the app or edited by hand.
    const issue = error.issues[0]
    throw new UserError(
      `${runId === undefined ? 'The' : `Run ${runId}'s`} stored ${recipe} settings do not fit this ` +
        `version of the app (${issue ? `${issue.path.join('.') || 'config'}: ${issue.message}` : 'invalid'}). ` +
        'Open it with the app version that made it, or delete the run.'
    )
  }
}

function parseByFamily(recipe: string, config: unknown): RunRecipe {
  if (recipe === 'classifier')
    return { family: 'classifier', recipe, config: classifierConfigSchema.parse(config) }
  if (isGenerative(recipe))
    return { family: 'generative', recipe, config: generativeConfigSchema.parse(config) }
  if (isSynthetic(recipe))
    return { family: 'synthetic', recipe, config: syntheticConfigSchema.parse(config) }
  throw new UserError(`Recipe "${recipe}" is not one this app knows.`)
}

/** As `parseRunRecipe`, or null for a config that does not fit its recipe. */
export function runRecipeOrNull(recipe: string, config: unknown): RunRecipe | null {
  try {
    return parseRunRecipe(recipe, config)
  } catch {
    return null
  }
}
