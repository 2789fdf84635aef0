/**
 * `dgmw slurm profile test`: submits a tiny job on the profile that starts the workbench the way a
 * run's job would (`<launch> --version`), and reports where it ran and whether the node runs the
 * same version, so a wrong partition, shared folder or launch command shows before a real run.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ProfileTestReport, SlurmProfile } from '../../preload/contract'
import { codeVersion } from '../platform/appVersion'
import { writeFileAtomic } from '../platform/atomicWrite'
import { jobScript } from './jobScript'
import { defaultLaunch } from './profiles'
import { versionProblem } from './runSpecFile'
import { batchDir, checkSharedFolder, taskLog } from './sharedFolder'
import { cancelJob, isEndedState, jobStatuses, slurmAvailable, submitBatch } from './slurmCommands'
import { stderrTail } from './slurmExecutor'

export async function testProfile(
  profile: SlurmProfile,
  workbenchId: string,
  waitSeconds = 120
): Promise<ProfileTestReport> {
  const started = Date.now()
  const localVersion = codeVersion()
  const report = (fields: Partial<ProfileTestReport>): ProfileTestReport => ({
    profile: profile.name,
    ok: false,
    jobId: null,
    node: null,
    nodeVersion: null,
    localVersion,
    seconds: (Date.now() - started) / 1000,
    problem: null,
    ...fields
  })
  const slurm = await slurmAvailable()
  if (!slurm.ok) return report({ problem: slurm.problem })
  checkSharedFolder(profile.sharedFolder, profile.name)
  const batch = batchDir(
    profile.sharedFolder,
    workbenchId,
    `test-${Date.now()}-${randomBytes(3).toString('hex')}`
  )
  mkdirSync(join(batch, 'logs'), { recursive: true })
  writeFileAtomic(join(batch, 'runs.txt'), `${batch}\n`)
  // The run job's script, with `--version` in place of the run: the same options, setup, launch
  // (`$1` is the launch command the pattern captured).
  const script = jobScript({
    profile,
    batch,
    launch: profile.launch ?? defaultLaunch(),
    name: `dgmw-test-${profile.name}`
  }).replace(/^exec (.*) train --run-spec .*$/m, 'echo "node=$(hostname)"; exec $1 --version')
  writeFileAtomic(join(batch, 'job.sh'), script, { mode: 0o755 })
  const arrayId = await submitBatch(join(batch, 'job.sh'), { array: '0-0', cwd: batch })
  const jobId = `${arrayId}_0`
  for (;;) {
    const status = (await jobStatuses([jobId])).get(jobId)
    if (status && isEndedState(status.state)) {
      const out = readText(taskLog(batch, 0, 'out'))
      const node = /node=(\S+)/.exec(out)?.[1] ?? status.node
      const nodeVersion = out.trim().split('\n').pop()?.trim() || null
      const mismatch = nodeVersion ? versionProblem(localVersion, nodeVersion) : null
      const failed = status.state !== 'COMPLETED' || !nodeVersion
      return report({
        ok: !failed && !mismatch,
        jobId,
        node,
        nodeVersion,
        problem: failed
          ? `The test job ended as ${status.state}${status.exitCode !== null ? ` (exit code ${status.exitCode})` : ''}: check the profile's launch command and setup lines.` +
            stderrTail({
              executor: 'slurm',
              profile: profile.name,
              folder: batch,
              log: taskLog(batch, 0, 'err')
            })
          : mismatch
      })
    }
    if ((Date.now() - started) / 1000 > waitSeconds) {
      await cancelJob(jobId)
      return report({
        jobId,
        problem:
          `The test job did not end within ${waitSeconds} s (${status?.state ?? 'unknown'}` +
          `${status?.reason ? `: ${status.reason}` : ''}); it was cancelled. A busy cluster may ` +
          'just need longer; a reason such as PartitionTimeLimit or ReqNodeNotAvail means the ' +
          'profile asks for what the partition cannot give.'
      })
    }
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}
