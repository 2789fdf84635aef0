/**
 * The files a cluster run is made of, without a cluster: the batch script (checked by bash
 * itself), the run spec with its inputs staged once by content, the version check, and the
 * metrics stream read while it is being written.
 */
import { execFileSync } from 'node:child_process'
import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { slurmProfileSchema } from '../../../preload/contract'
import { jobScript } from '../../../main/cluster/jobScript'
import { appendEvent, eventReader, eventsFile } from '../../../main/cluster/runEvents'
import {
  readRunSpec,
  stageSpec,
  versionProblem,
  writeRunSpec
} from '../../../main/cluster/runSpecFile'
import { clusterRoot } from '../../../main/cluster/sharedFolder'
import type { TrainSpec } from '../../../main/engine/engineMessages'
import { classifierConfigSchema } from '../../../preload/contract'
import { tempDir } from '../../helpers/tempDir'

const dir = tempDir()
afterAll(() => dir.cleanup())

describe('the batch script', () => {
  const profile = slurmProfileSchema.parse({
    name: 'gpu-a100',
    sharedFolder: '/shared/lab',
    partition: 'gpu',
    account: 'vision',
    gpus: 2,
    gpuType: 'a100',
    cpus: 8,
    memoryMiB: 32768,
    timeLimitMinutes: 240,
    extraSbatch: ['--constraint=nvlink'],
    setup: ['module load nodejs/20 cuda/12'],
    backend: 'webgpu'
  })
  const script = jobScript({
    profile,
    batch: '/shared/lab/dgmw/jobs/ab/1-x',
    launch: "'/opt/node/bin/node' '/shared/dgmw/bin/dgmw.cjs'",
    name: 'dgmw-7 label budget'
  })

  it('asks Slurm for what the profile says, signals before the limit and requeues', () => {
    const options = script.split('\n').filter((l) => l.startsWith('#SBATCH '))
    expect(options).toEqual([
      '#SBATCH --job-name=dgmw-7-label-budget',
      '#SBATCH --partition=gpu',
      '#SBATCH --account=vision',
      '#SBATCH --gres=gpu:a100:2',
      '#SBATCH --ntasks=1',
      '#SBATCH --cpus-per-task=8',
      '#SBATCH --mem=32768M',
      '#SBATCH --time=240',
      '#SBATCH --signal=B:USR1@120',
      '#SBATCH --requeue',
      '#SBATCH --open-mode=append',
      '#SBATCH --output=/shared/lab/dgmw/jobs/ab/1-x/logs/%a.out',
      '#SBATCH --error=/shared/lab/dgmw/jobs/ab/1-x/logs/%a.err',
      '#SBATCH --constraint=nvlink'
    ])
    expect(script).toContain('module load nodejs/20 cuda/12\n')
    expect(script).toContain('export DGMW_BACKEND=webgpu\n')
  })

  it("is valid bash that picks its task's run folder and execs the workbench", () => {
    const file = join(dir.path, 'job.sh')
    writeFileSync(file, script)
    execFileSync('bash', ['-n', file])
    // Run the folder lookup as Slurm would for task 1.
    const batch = join(dir.path, 'batch')
    mkdirSync(batch)
    writeFileSync(join(batch, 'runs.txt'), '/shared/runs/5\n/shared/runs/6\n')
    const lookup = script
      .split('\n')
      .find((l) => l.startsWith('run_folder='))!
      .replace('/shared/lab/dgmw/jobs/ab/1-x', batch)
    const folder = execFileSync('bash', ['-c', `${lookup}; echo "$run_folder"`], {
      env: { ...process.env, SLURM_ARRAY_TASK_ID: '1' },
      encoding: 'utf8'
    })
    expect(folder.trim()).toBe('/shared/runs/6')
    expect(script.trimEnd().split('\n').pop()).toBe(
      `exec '/opt/node/bin/node' '/shared/dgmw/bin/dgmw.cjs' train --run-spec "$run_folder/spec.json"`
    )
  })

  it('refuses profile values that would break out of their #SBATCH line', () => {
    const base = { name: 'p', sharedFolder: '/s' }
    expect(slurmProfileSchema.safeParse({ ...base, partition: 'gpu\nrm -rf ~' }).success).toBe(
      false
    )
    expect(slurmProfileSchema.safeParse({ ...base, extraSbatch: ['--x # y'] }).success).toBe(false)
    expect(slurmProfileSchema.safeParse({ ...base, name: '../up' }).success).toBe(false)
  })
})

describe('the run spec', () => {
  it('stages the image cache once by content and points the checkpoints at the run folder', async () => {
    const shared = join(dir.path, 'shared')
    mkdirSync(shared)
    const cache = join(dir.path, 'images.u8')
    writeFileSync(cache, Buffer.alloc(4096, 7))
    const spec: TrainSpec = {
      data: {
        kind: 'dataset',
        cacheFile: cache,
        height: 8,
        width: 8,
        channels: 1,
        classes: 2,
        labels: [0, 1],
        trainIndices: [0],
        valIndices: [],
        evalIndices: [1],
        normalisation: 'unit'
      } as TrainSpec['data'],
      config: classifierConfigSchema.parse({}),
      checkpointDir: '/home/me/.dgmw/runs/5'
    }
    const folders = ['a', 'b'].map((n) => join(shared, 'dgmw', 'runs', 'w', n))
    const staged = await Promise.all(folders.map((f) => stageSpec(spec, shared, f)))
    expect(staged.map((s) => s.checkpointDir)).toEqual(folders)
    const cacheCopy = (staged[0].data as { cacheFile: string }).cacheFile
    expect(cacheCopy).toBe((staged[1].data as { cacheFile: string }).cacheFile)
    expect(cacheCopy).toMatch(/objects\/[0-9a-f]{64}\.u8$/)
    expect(readdirSync(join(clusterRoot(shared), 'objects'))).toHaveLength(1)
    expect(spec.checkpointDir).toBe('/home/me/.dgmw/runs/5') // the local spec is untouched

    mkdirSync(folders[0], { recursive: true })
    writeRunSpec(folders[0], { runId: 5, version: '1.2.0+abc', spec: staged[0] })
    expect(readRunSpec(join(folders[0], 'spec.json')).spec).toEqual(staged[0])
  })

  it('refuses another version of the workbench on the node, saying what to change', () => {
    expect(versionProblem('1.2.0+abc', '1.2.0+abc')).toBeNull()
    expect(versionProblem('1.2.0+abc', '1.2.0')).toBeNull() // an installed package: no commit
    expect(versionProblem('1.2.0+abc', '1.2.0+def')).toMatch(/runs 1\.2\.0\+def.*launch command/)
    expect(versionProblem('1.2.0', '1.3.0')).toMatch(/submitted by DGM Workbench 1\.2\.0/)
  })
})

describe('the metrics stream', () => {
  it('hands over complete records only, and goes on from a saved offset', () => {
    const folder = join(dir.path, 'run')
    mkdirSync(folder)
    const reader = eventReader(folder)
    expect(reader.next()).toEqual([]) // nothing written yet
    appendEvent(folder, { type: 'backend', backend: 'wasm' })
    appendFileSync(eventsFile(folder), '{"type":"signalled","sig') // half a line
    expect(reader.next()).toEqual([{ type: 'backend', backend: 'wasm' }])
    expect(reader.next()).toEqual([])
    appendFileSync(eventsFile(folder), 'nal":"SIGTERM","requeue":false}\n')
    expect(reader.next()).toEqual([{ type: 'signalled', signal: 'SIGTERM', requeue: false }])
    const later = eventReader(folder, reader.offset())
    appendEvent(folder, { type: 'failed', message: 'x' })
    expect(later.next()).toEqual([{ type: 'failed', message: 'x' }])
  })
})
