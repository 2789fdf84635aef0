import { join } from 'node:path'

/**
 * Where the better-sqlite3 addon built for Electron's ABI is kept (by `npm run rebuild:electron`),
 * apart from node_modules, whose copy is built for Node and serves the CLI, tests and browser mode.
 */
export function electronSqliteBinding(appRoot: string): string {
  return join(appRoot, 'native', 'electron', 'better_sqlite3.node')
}
