/**
 * A full disk, however it is reported: Node's ENOSPC/EDQUOT, SQLite's SQLITE_FULL, or the same as
 * a plain message (an error that crossed from the engine worker), turned into advice that names
 * the folder and says what to do.
 */
import { UserError } from './userError'

const fullCodes = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL'])
const fullMessage = /\b(ENOSPC|EDQUOT)\b|no space left on device|database or disk is full/i

export function isDiskFull(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  return (typeof code === 'string' && fullCodes.has(code)) || fullMessage.test(String(message))
}

/** The sentence a person reads when the disk holding `folder` ran out of space. */
export function diskFullMessage(folder: string, then = 'retry'): string {
  return (
    `The disk holding ${folder} is full. Free some space on it (or use a data directory on ` +
    `another disk with --data-dir), then ${then}; what was saved before is intact.`
  )
}

export const diskFullError = (folder: string): UserError => new UserError(diskFullMessage(folder))
