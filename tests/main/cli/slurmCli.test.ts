/**
 * The cluster from the command line, as a researcher on a login node uses it, against the real
 * one-node Slurm cluster: profiles are added, listed and tested; `dgmw train --executor slurm`
 * trains as a job and reports like a local run; the node side (`dgmw train --run-spec`) refuses a
 * spec written by another version, saying what to change.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventsFile } from '../../../main/cluster/runEvents'
import { specFile } from '../../../main/cluster/runSpecFile'
import { dgmw } from '../../helpers/dgmwCli'
import { ensureSlurmCluster } from '../../helpers/slurmCluster'
import { tempDir } from '../../helpers/tempDir'
import { writeHalves } from '../../helpers/trainingFixtures'

describe('dgmw on a Slurm cluster', () => {
  let dir: ReturnType<typeof tempDir>
  let at: string[]

  beforeAll(async () => {
    await ensureSlurmCluster()
    dir = tempDir()
    at = ['--data-dir', join(dir.path, 'home')]
    await writeHalves(join(dir.path, 'halves'), 24)
    expect(dgmw(['import', join(dir.path, 'halves'), ...at, '--seed', '1']).code).toBe(0)
  }, 120_000)
  afterAll(() => dir.cleanup())

  it('adds, lists and tests a profile, refusing values Slurm would not take', () => {
    const shared = join(dir.path, 'shared')
    const bad = dgmw([
      'slurm',
      'profile',
      'add',
      'one',
      '--shared-folder',
      shared,
      '--time',
      'soon',
      ...at
    ])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/--time takes minutes or H:MM:SS, not "soon"/)
    const add = dgmw([
      'slurm',
      'profile',
      'add',
      'one',
      '--shared-folder',
      shared,
      '--cpus',
      '1',
      '--memory',
      '1G',
      '--time',
      '0:30:00',
      '--node-backend',
      'wasm',
      '--sbatch=--comment=dgmw-test',
      ...at
    ])
    expect(add.code, add.stderr).toBe(0)
    const listed = JSON.parse(dgmw(['slurm', 'profile', 'list', '--json', ...at]).stdout) as {
      profiles: {
        name: string
        memoryMiB: number
        timeLimitMinutes: number
        extraSbatch: string[]
      }[]
    }
    expect(listed.profiles).toMatchObject([
      { name: 'one', memoryMiB: 1024, timeLimitMinutes: 30, extraSbatch: ['--comment=dgmw-test'] }
    ])
    // The shared folder does not exist yet: said before anything is submitted.
    const missing = dgmw(['slurm', 'profile', 'test', 'one', ...at])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/does not exist on this machine\. Mount the cluster filesystem/)
    mkdirSync(shared)
    const tested = dgmw(['slurm', 'profile', 'test', 'one', '--json', ...at])
    expect(tested.code, tested.stdout + tested.stderr).toBe(0)
    const report = JSON.parse(tested.stdout) as { ok: boolean; node: string; nodeVersion: string }
    expect(report.ok).toBe(true)
    expect(report.node.length).toBeGreaterThan(0)
    expect(report.nodeVersion).toMatch(/^\d+\.\d+\.\d+/)
  }, 120_000)

  it('trains a run as a Slurm job and reports it as a local run', () => {
    const trained = dgmw([
      'train',
      '--dataset',
      'halves',
      '--epochs',
      '4',
      '--batch-size',
      '8',
      '--seed',
      '3',
      '--executor',
      'slurm',
      '--profile',
      'one',
      '--json',
      ...at
    ])
    expect(trained.code, trained.stderr).toBe(0)
    expect(trained.stderr).toMatch(/Run \d+: classifier on halves, Slurm profile one/)
    const doc = JSON.parse(trained.stdout) as {
      run: { id: number; status: string; backend: string }
      final: { testAccuracy: number; epochsDone: number }
    }
    expect(doc.run.status).toBe('completed')
    expect(doc.run.backend).toBe('wasm')
    expect(doc.final.epochsDone).toBe(4)
    const runs = dgmw(['runs', ...at]).stdout
    expect(runs).toMatch(new RegExp(`slurm:one \\d+_0 COMPLETED`))
    const unknown = dgmw([
      'train',
      '--dataset',
      'halves',
      '--executor',
      'slurm',
      '--profile',
      'nope',
      ...at
    ])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/There is no Slurm profile "nope"\. Profiles: one\./)
  }, 300_000)

  it('refuses, on the node, a run spec written by another version', () => {
    const listed = JSON.parse(dgmw(['runs', '--json', ...at]).stdout) as {
      runs: { headline: { cluster?: { folder: string } } }[]
    }
    const folder = listed.runs[0].headline.cluster!.folder
    const spec = JSON.parse(readFileSync(specFile(folder), 'utf8')) as { version: string }
    writeFileSync(specFile(folder), JSON.stringify({ ...spec, version: '0.0.1+0123456789ab' }))
    const ran = dgmw(['train', '--run-spec', specFile(folder)])
    expect(ran.code).toBe(2)
    expect(ran.stderr).toMatch(
      /submitted by DGM Workbench 0\.0\.1\+0123456789ab, but the compute node runs/
    )
    const last = readFileSync(eventsFile(folder), 'utf8').trim().split('\n').pop()!
    expect(JSON.parse(last)).toMatchObject({ type: 'failed' })
  }, 120_000)
})
