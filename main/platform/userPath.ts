import { homedir } from 'node:os'
import { isAbsolute, resolve } from 'node:path'
import { UserError } from './userError'

/**
 * A path a person typed into the app (the import field, an export or predict path), made absolute
 * on the machine running the workbench: `~` and `~/x` mean its home folder. A relative path is
 * refused rather than guessed: the app's working folder is not something a person can see, so the
 * message says where it would land and asks for the full path. (The CLI resolves against the shell's
 * folder as shells do, so it does not use this.)
 */
export function userPath(typed: string, home = homedir(), cwd = process.cwd()): string {
  const path = typed.trim()
  if (path === '~') return home
  if (path.startsWith('~/') || path.startsWith('~\\')) return resolve(home, path.slice(2))
  if (path.startsWith('~'))
    throw new UserError(
      `"${path}" names another user's home folder, which the workbench does not look up; give the full path.`,
      'invalid-args'
    )
  if (!isAbsolute(path))
    throw new UserError(
      `"${path}" is relative; it would resolve to ${resolve(cwd, path)} — give the full path (or start it with ~/ for ${home}).`,
      'invalid-args'
    )
  return resolve(path)
}
