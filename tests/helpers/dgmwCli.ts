import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const bin = join(__dirname, '../../bin/dgmw.cjs')

/** Runs the built `dgmw` as a researcher would (auto backend), waiting up to 15 minutes. */
export function dgmw(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DGMW_BACKEND: '' },
    timeout: 900_000,
    maxBuffer: 64 * 1024 * 1024
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
