import type { BackendName } from '../../preload/contract'
import { UserError } from '../platform/userError'

/** What every command gets: its parsed flags, positionals and the global options. */
export interface CommandContext {
  values: Record<string, string | boolean | undefined>
  positionals: string[]
  json: boolean
  dataDir: string
  backend?: BackendName
}

/** A flag (or positional) that must be a whole number; absent stays undefined. */
export function wholeNumber(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(String(value)))
    throw new UserError(`--${flag} takes a whole number, not "${String(value)}".`)
  return Number(value)
}
