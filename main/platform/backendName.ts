import { backendNames, type BackendName } from '../../preload/contract'
import { UserError } from './userError'

/**
 * Reads a backend name from a flag or environment value, with a clear error for typos. A leaf of
 * its own: the host and the CLI read `--backend` without loading the tensor library.
 */
export function parseBackendName(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === '' || value === 'auto') return undefined
  if ((backendNames as readonly string[]).includes(value)) return value as BackendName
  throw new UserError(`Unknown backend "${value}". Use one of: auto, ${backendNames.join(', ')}.`)
}
