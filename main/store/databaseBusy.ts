/**
 * The run database is shared: the app, browser mode and every `dgmw` command may open the same
 * file at once. SQLite lets one of them write at a time; the others wait up to `busyTimeoutMs`
 * for the lock. Only when a writer holds it longer does SQLite give up with SQLITE_BUSY, and that
 * becomes a message a person can act on instead of "database is locked".
 */
import { UserError } from '../platform/userError'

/** How long a write waits for another process's write to finish (milliseconds). */
export const busyTimeoutMs = 5000

/** Whether `error` is SQLite giving up on a lock another connection holds (SQLITE_BUSY_*). */
export function isDatabaseBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY')
}

/** The error a person sees when the database stayed locked past the timeout. */
export function databaseBusyError(): UserError {
  return new UserError(
    `The run database is busy: another DGM Workbench process on this data directory (the app, ` +
      `\`dgmw serve\` or another \`dgmw\` command) held it for more than ${busyTimeoutMs / 1000} s. ` +
      'What it was doing did not finish; try again in a moment.',
    'conflict'
  )
}
