/**
 * A batch of runs bigger than a job array may be (the cluster's MaxArraySize, 1001 by default:
 * sbatch refuses `--array=0-1001`) goes to Slurm as several arrays. On the real one-node cluster,
 * with the executor's array size set small so a handful of jobs shows it; the jobs replay a
 * two-record stream (scripts/cluster-replay-job.sh) instead of training.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { slurmProfileSchema, type ClusterJob } from '../../../preload/contract'
import { createSlurmExecutor } from '../../../main/cluster/slurmExecutor'
import { maxArrayTasks } from '../../../main/cluster/slurmCommands'
import type { AnyTrainSpec } from '../../../main/engine/engineMessages'
import { ensureSlurmCluster } from '../../helpers/slurmCluster'
import { tempDir } from '../../helpers/tempDir'

const replayScript = join(__dirname, '../../../scripts/cluster-replay-job.sh')

describe('job arrays no bigger than the cluster allows', () => {
  let dir: ReturnType<typeof tempDir>

  beforeAll(async () => {
    await ensureSlurmCluster()
    dir = tempDir()
  }, 120_000)

  afterAll(() => dir?.cleanup())

  it("reads the cluster's MaxArraySize, beyond which sbatch refuses an array", async () => {
    // slurm-cluster.sh keeps Slurm's default.
    expect(await maxArrayTasks()).toBe(1001)
    const sbatch = (array: string) =>
      spawnSync('sbatch', ['--test-only', `--array=${array}`, '--wrap', 'true'], {
        cwd: dir.path,
        encoding: 'utf8'
      })
    expect(sbatch('0-1000').status).toBe(0)
    const refused = sbatch('0-1001')
    expect(refused.status).not.toBe(0)
    expect(refused.stderr).toMatch(/Invalid job array specification/)
  })

  it('submits 5 runs as arrays of at most 2 tasks, every run settled by its own job', async () => {
    const template = join(dir.path, 'template')
    mkdirSync(template)
    const result = { status: 'completed', steps: 3, epochsDone: 1, finalLoss: 0.5, accuracy: 0.75 }
    writeFileSync(
      join(template, 'events.jsonl'),
      [
        { type: 'attempt', at: new Date().toISOString(), node: 'vm', jobId: null, version: '0' },
        { type: 'done', result: { jobId: 'template', tensorsPerEpoch: [1], ...result } }
      ]
        .map((event) => JSON.stringify(event) + '\n')
        .join('')
    )
    const cache = join(dir.path, 'cache.bin')
    writeFileSync(cache, 'pixels')
    const shared = join(dir.path, 'shared')
    mkdirSync(shared)
    const profile = slurmProfileSchema.parse({
      name: 'replay',
      sharedFolder: shared,
      cpus: 1,
      memoryMiB: 256,
      timeLimitMinutes: 5,
      launch: `bash ${replayScript} ${template}`
    })
    const executor = createSlurmExecutor({
      dataDir: join(dir.path, 'home'),
      workbenchId: () => 'arrays',
      pollMs: 300,
      maxArrayTasks: 2
    })
    const jobs = new Map<number, ClusterJob>()
    const spec = {
      data: { kind: 'dataset', cacheFile: cache },
      config: {},
      checkpointDir: ''
    } as unknown as AnyTrainSpec
    const handles = executor.submit(
      profile,
      [1, 2, 3, 4, 5].map((runId) => ({
        runId,
        spec,
        listeners: { onCluster: (job: ClusterJob) => jobs.set(runId, job) }
      })),
      'arrays'
    )
    try {
      const results = await Promise.race([
        Promise.all(handles.map((h) => h.done)),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('the 5 jobs did not end within 120 s')), 120_000)
        )
      ])
      expect(results.map((r) => r.accuracy)).toEqual([0.75, 0.75, 0.75, 0.75, 0.75])
    } finally {
      executor.close()
    }
    const ids = [1, 2, 3, 4, 5].map((runId) => jobs.get(runId)!.jobId!)
    const arrays = ids.map((id) => id.split('_')[0])
    expect(ids.map((id) => id.split('_')[1])).toEqual(['0', '1', '0', '1', '0'])
    expect(new Set(arrays).size).toBe(3)
    expect(arrays[0]).toBe(arrays[1])
    expect(arrays[2]).toBe(arrays[3])
  }, 180_000)
})
