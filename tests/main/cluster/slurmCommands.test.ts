/**
 * Slurm's client commands against the real one-node cluster (scripts/slurm-cluster.sh): jobs that
 * complete, fail, are cancelled, wait on a partition limit, run as an array, and are requeued.
 * Jobs sleep 1–3 s; every job submitted here is cancelled at the end, whatever happened.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { hostname } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  cancelJob,
  isEndedState,
  jobStatuses,
  requeueJob,
  slurmAvailable,
  submitBatch,
  type JobStatus
} from '../../../main/cluster/slurmCommands'
import { UserError } from '../../../main/platform/userError'
import { ensureSlurmCluster } from '../../helpers/slurmCluster'
import { tempDir } from '../../helpers/tempDir'

const dir = tempDir('dgmw-slurm-test-')
const submitted: string[] = []

beforeAll(async () => {
  await ensureSlurmCluster()
}, 150_000)

afterAll(async () => {
  await Promise.allSettled(submitted.map((id) => cancelJob(id)))
  dir.cleanup()
})

/** Writes a batch script whose output goes to the temp folder, and submits it. */
async function submit(name: string, body: string, array?: string): Promise<string> {
  const path = join(dir.path, `${name}.sh`)
  const output = join(dir.path, `${name}-%A_%a.out`)
  writeFileSync(path, `#!/bin/bash\n#SBATCH --output=${output}\n${body}\n`)
  const id = await submitBatch(path, { array, cwd: dir.path })
  submitted.push(id)
  return id
}

/**
 * Polls the statuses of IDS until DONE holds for them (at most timeoutMs); every status seen on
 * the way is kept so a test can check the states a job went through.
 */
async function waitFor(
  ids: string[],
  done: (statuses: Map<string, JobStatus>) => boolean,
  timeoutMs: number,
  seen: JobStatus[] = []
): Promise<Map<string, JobStatus>> {
  const deadline = Date.now() + timeoutMs
  let last = new Map<string, JobStatus>()
  while (Date.now() < deadline) {
    last = await jobStatuses(ids)
    seen.push(...last.values())
    if (done(last)) return last
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(
    `jobs ${ids.join(',')} did not reach the awaited states within ${timeoutMs / 1000} s; ` +
      `last seen: ${JSON.stringify([...last.values()])}`
  )
}

const ended = (id: string) => (statuses: Map<string, JobStatus>) => {
  const state = statuses.get(id)?.state
  return state !== undefined && isEndedState(state)
}

describe('Slurm commands on the one-node cluster', () => {
  it('finds Slurm installed and its controller answering', async () => {
    const available = await slurmAvailable()
    expect(available).toEqual({ ok: true, version: expect.stringMatching(/^\d+\.\d+/) })
  })

  it('follows a job from pending or running to completed with exit code 0', async () => {
    const id = await submit('ok', 'sleep 2')
    expect(id).toMatch(/^\d+$/)
    const seen: JobStatus[] = []
    const final = await waitFor([id], ended(id), 60_000, seen)
    expect(['PENDING', 'RUNNING']).toContain(seen[0].state)
    expect(final.get(id)).toMatchObject({
      jobId: id,
      state: 'COMPLETED',
      exitCode: 0,
      signal: null
    })
    // The one-node cluster's node is this machine (scripts/slurm-cluster.sh names it so).
    expect(final.get(id)?.node).toBe(hostname().split('.')[0])
  }, 70_000)

  it('reports a script that exits 3 as failed with exit code 3', async () => {
    const id = await submit('fails', 'sleep 1\nexit 3')
    const final = await waitFor([id], ended(id), 60_000)
    expect(final.get(id)).toMatchObject({ state: 'FAILED', exitCode: 3 })
  }, 70_000)

  it('cancels a running job, and cancelling it again is no error', async () => {
    const id = await submit('long', 'sleep 300')
    await waitFor([id], (s) => s.get(id)?.state === 'RUNNING', 60_000)
    await cancelJob(id)
    const final = await waitFor([id], ended(id), 30_000)
    expect(final.get(id)?.state).toBe('CANCELLED')
    await expect(cancelJob(id)).resolves.toBeUndefined()
  }, 100_000)

  it('gives one entry per task of an array job, pending or ended', async () => {
    const id = await submit('array', 'sleep 1', '0-2')
    const tasks = [0, 1, 2].map((task) => `${id}_${task}`)
    const first = await jobStatuses(tasks)
    expect([...first.keys()].sort()).toEqual(tasks)
    const final = await waitFor(tasks, (s) => tasks.every((task) => ended(task)(s)), 60_000)
    for (const task of tasks) {
      expect(final.get(task)).toMatchObject({ jobId: task, state: 'COMPLETED', exitCode: 0 })
    }
  }, 70_000)

  it("shows Slurm's reason for a job that asks for more time than the partition allows", async () => {
    const id = await submit('too-long', '#SBATCH --time=120\nsleep 1')
    const waiting = await waitFor([id], (s) => s.get(id)?.reason === 'PartitionTimeLimit', 30_000)
    expect(waiting.get(id)?.state).toBe('PENDING')
    await cancelJob(id)
    const final = await waitFor([id], ended(id), 30_000)
    expect(final.get(id)?.state).toBe('CANCELLED')
  }, 70_000)

  it('runs a requeued job again and counts the restart', async () => {
    const starts = join(dir.path, 'starts.txt')
    const id = await submit('requeued', `echo started >> ${starts}\nsleep 300`)
    const lines = () => (existsSync(starts) ? readFileSync(starts, 'utf8').trim().split('\n') : [])
    await waitFor([id], (s) => s.get(id)?.state === 'RUNNING' && lines().length === 1, 60_000)
    await requeueJob(id)
    // The cluster's cred_expire (10 s) delays the rerun: the job waits with reason BeginTime.
    const rerun = await waitFor(
      [id],
      (s) => s.get(id)?.state === 'RUNNING' && lines().length === 2,
      60_000
    )
    expect(rerun.get(id)?.restarts).toBeGreaterThanOrEqual(1)
    await cancelJob(id)
  }, 140_000)

  it("rejects a job Slurm will not take with sbatch's own words", async () => {
    const path = join(dir.path, 'bad.sh')
    writeFileSync(path, '#!/bin/bash\n#SBATCH --partition=no-such-partition\ntrue\n')
    const refused = submitBatch(path, { cwd: dir.path })
    await expect(refused).rejects.toBeInstanceOf(UserError)
    await expect(refused).rejects.toThrow(/invalid partition/i)
  })

  it('says what to do when the controller cannot be reached or Slurm is not installed', async () => {
    const conf = process.env.SLURM_CONF as string
    const path = process.env.PATH
    // The same cluster's settings, but a controller port nothing listens on.
    const unreachable = join(dir.path, 'unreachable.conf')
    writeFileSync(
      unreachable,
      readFileSync(conf, 'utf8')
        .replace(/^SlurmctldPort=.*\n/m, '')
        .replace(/^SlurmctldHost=.*$/m, '$&\nSlurmctldPort=1')
    )
    try {
      process.env.SLURM_CONF = unreachable
      const down = await slurmAvailable()
      expect(down.ok).toBe(false)
      if (!down.ok)
        expect(down.problem).toMatch(/SLURM_CONF \(now .*unreachable\.conf\).*slurmctld/)
      process.env.SLURM_CONF = conf
      process.env.PATH = dir.path
      const missing = await slurmAvailable()
      expect(missing.ok).toBe(false)
      if (!missing.ok)
        expect(missing.problem).toMatch(/apt-get install slurm-wlm.*module load slurm/)
    } finally {
      process.env.SLURM_CONF = conf
      process.env.PATH = path
    }
  }, 60_000)

  it('refuses a job id that is not one, and leaves unknown jobs out', async () => {
    await expect(jobStatuses(['--help'])).rejects.toThrow(/not a Slurm job id/)
    const statuses = await jobStatuses(['999999'])
    expect(statuses.size).toBe(0)
  })
})
