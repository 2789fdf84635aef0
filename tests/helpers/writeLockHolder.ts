import { spawn } from 'node:child_process'

export interface HeldWriteLock {
  /** When the lock was taken (Date.now()). */
  tookAt: number
  /** Rolls back, closes and ends the holder; resolves once it has. */
  release(): Promise<{ releasedAt: number }>
}

/**
 * Another process (plain better-sqlite3) takes SQLite's write lock on `file` with BEGIN IMMEDIATE
 * and keeps it until `release()`, or a minute. A process, because a second connection in the
 * test's own thread could never let go while the code under test waits synchronously for it.
 * It waits for the lock itself, and sets WAL first so a new file is made as the workbench makes it.
 */
export async function holdWriteLock(file: string): Promise<HeldWriteLock> {
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `const db = require('better-sqlite3')(process.argv[1]);
       db.pragma('busy_timeout = 60000'); db.pragma('journal_mode = WAL');
       db.exec('BEGIN IMMEDIATE'); console.log('locked');
       const end = () => { db.exec('ROLLBACK'); db.close(); process.exit(0) };
       process.stdin.on('data', end); setTimeout(end, 60000)`,
      file
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] }
  )
  await new Promise((resolve, reject) => {
    holder.stdout!.once('data', resolve)
    holder.once('error', reject)
    holder.once('exit', (code) => reject(new Error(`the lock holder exited with ${code}`)))
  })
  const tookAt = Date.now()
  const closed = new Promise<{ releasedAt: number }>((resolve) =>
    holder.once('close', () => resolve({ releasedAt: Date.now() }))
  )
  return {
    tookAt,
    release() {
      holder.stdin!.end('release\n')
      return closed
    }
  }
}
