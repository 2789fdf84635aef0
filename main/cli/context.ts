import type { BackendName } from '../../preload/contract'

/** What every command gets: its parsed flags, positionals and the global options. */
export interface CommandContext {
  values: Record<string, string | boolean | undefined>
  positionals: string[]
  json: boolean
  dataDir: string
  backend?: BackendName
}
