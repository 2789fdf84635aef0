import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedHistory } from '../../helpers/seedHistory'
import { tempDir } from '../../helpers/tempDir'

// Runs the built `dgmw` exactly as a user does (the global setup builds out/ when it is stale).
const bin = join(__dirname, '../../../bin/dgmw.cjs')

function dgmw(
  args: string[],
  env: Record<string, string> = {}
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DGMW_BACKEND: '', ...env },
    timeout: 60_000
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('dgmw command line', () => {
  let dir: ReturnType<typeof tempDir>
  let runIds: number[]

  beforeAll(() => {
    dir = tempDir()
    runIds = seedHistory(dir.path).runIds
  })
  afterAll(() => dir.cleanup())

  it('prints help listing every command', () => {
    const { code, stdout } = dgmw(['--help'])
    expect(code).toBe(0)
    for (const command of ['start', 'serve', 'runs', 'doctor'])
      expect(stdout).toContain(`dgmw ${command}`)
  })

  it('lists runs as one JSON document', () => {
    const { code, stdout } = dgmw(['runs', '--json', '--data-dir', dir.path])
    expect(code).toBe(0)
    const doc = JSON.parse(stdout) as { dataDir: string; runs: { id: number; status: string }[] }
    expect(doc.dataDir).toBe(dir.path)
    expect(doc.runs.map((r) => r.id)).toEqual([...runIds].reverse())
    expect(doc.runs.map((r) => r.status)).toEqual(['queued', 'failed', 'completed'])
  })

  it('lists runs as a table for people, and takes DGMW_HOME', () => {
    const { code, stdout } = dgmw(['runs', '--status', 'failed'], { DGMW_HOME: dir.path })
    expect(code).toBe(0)
    expect(stdout.split('\n')[0]).toMatch(/^id\s+status\s+recipe\s+dataset/)
    expect(stdout).toMatch(/2\s+failed\s+dcgan\s+fashion-mnist/)
    expect(stdout).not.toContain('classifier')
  })

  it('lists datasets, as a table and as JSON', () => {
    const table = dgmw(['datasets', '--data-dir', dir.path])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/1\s+fashion-mnist\s+idx\s+70000\s+10\s+28×28×1/)
    const doc = JSON.parse(dgmw(['datasets', '--json', '--data-dir', dir.path]).stdout)
    expect(doc.datasets.map((d: { name: string }) => d.name)).toEqual(['fashion-mnist'])
  })

  it('imports a folder with --json: the cleaning report on stdout, progress on stderr', async () => {
    const folder = join(dir.path, 'tiny')
    mkdirSync(join(folder, 'a'), { recursive: true })
    mkdirSync(join(folder, 'b'), { recursive: true })
    await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
      .png()
      .toFile(join(folder, 'a', 'x.png'))
    await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
      .png()
      .toFile(join(folder, 'b', 'y.png'))
    writeFileSync(join(folder, 'b', 'z.png'), 'not a png')
    const result = dgmw([
      'import',
      folder,
      '--size',
      '8',
      '--name',
      'tiny',
      '--json',
      '--data-dir',
      dir.path
    ])
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({
      imported: 2,
      classes: [
        { name: 'a', count: 1 },
        { name: 'b', count: 1 }
      ],
      dataset: { name: 'tiny', width: 8 }
    })
    expect(report.skipped).toEqual([
      { path: 'b/z.png', reason: 'not-image', detail: expect.any(String) }
    ])
    expect(result.stderr).toMatch(/2\/3 images|3\/3 images/)
    // Imported again on purpose (--reimport), a name already taken is still refused.
    const again = dgmw(['import', folder, '--reimport', '--name', 'tiny', '--data-dir', dir.path])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(
      /A dataset named "tiny" already exists; pick another name with --name/
    )
  })

  it('reports tensor backends with the reason each higher one did not load', () => {
    const { code, stdout } = dgmw(['doctor', '--json', '--data-dir', dir.path])
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    expect(report.engine.state).toBe('ready')
    expect(report.engine.rungs.map((r: { name: string }) => r.name)).toEqual([
      'tensorflow-gpu',
      'tensorflow',
      'webgpu',
      'wasm',
      'cpu'
    ])
    const active = report.engine.rungs.findIndex(
      (r: { name: string }) => r.name === report.engine.active
    )
    for (const rung of report.engine.rungs.slice(0, active)) {
      expect(rung.loaded).toBe(false)
      expect(rung.reason.length).toBeGreaterThan(20)
    }
    expect(report.dataDir).toMatchObject({ path: dir.path, writable: true })
    expect(report.cpu.threads).toBeGreaterThan(0)
  })

  it('forces a backend with --backend', () => {
    const report = JSON.parse(
      dgmw(['doctor', '--json', '--backend', 'cpu', '--data-dir', dir.path]).stdout
    )
    expect(report.engine).toMatchObject({ active: 'cpu', forced: 'cpu' })
  })

  it.each([
    { args: ['frobnicate'], code: 2, stderr: /Unknown command "frobnicate".*dgmw --help/ },
    { args: ['runs', '--colour'], code: 2, stderr: /Unknown option '--colour'.*dgmw --help/s },
    {
      args: ['runs', '--status', 'exploded'],
      code: 1,
      stderr: /Unknown status "exploded". Use one of: queued/
    },
    {
      args: ['doctor', '--backend', 'cuda'],
      code: 1,
      stderr: /Unknown backend "cuda". Use one of: auto, tensorflow-gpu/
    },
    { args: ['serve', '--port', 'eighty'], code: 1, stderr: /--port must be a whole number/ }
  ])('fails clearly on $args', ({ args, code, stderr }) => {
    const result = dgmw([...args, '--data-dir', dir.path])
    expect(result.code).toBe(code)
    expect(result.stderr).toMatch(stderr)
    expect(result.stdout).toBe('')
  })

  it('refuses a data directory it cannot create', () => {
    // A folder inside a regular file cannot exist, even for root.
    writeFileSync(join(dir.path, 'plain-file'), 'x')
    const result = dgmw(['runs', '--data-dir', join(dir.path, 'plain-file', 'data')])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/Cannot use data directory .*--data-dir or the DGMW_HOME/)
  })
})
