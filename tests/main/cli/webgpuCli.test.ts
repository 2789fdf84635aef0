/**
 * A whole small run on WebGPU through the command line, as a researcher with a GPU runs it
 * (`--backend webgpu`; in CI the adapter is SwiftShader's CPU emulation, so the images are 16×16):
 * doctor names the adapter, training checkpoints, a run killed mid-way resumes to exactly the
 * metrics of an uninterrupted one, the run record names the GPU, evaluation agrees, exports are
 * verified by tfjs-layers and onnxruntime, and predictions from the run match the ONNX export's.
 * The same run on wasm ends with the same losses. No adapter fails the test.
 */
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import type { GpuAdapterReport } from '../../../preload/contract'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFashionSubset } from '../../helpers/fashionSubset'
import { tempDir } from '../../helpers/tempDir'
import {
  expectAdapterReport,
  noAdapterAdvice,
  useWebgpuForTests
} from '../../helpers/webgpuAdapter'

const bin = join(__dirname, '../../../bin/dgmw.cjs')

function dgmw(
  args: string[],
  backend = 'webgpu'
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args, '--backend', backend], {
    encoding: 'utf8',
    env: { ...process.env, DGMW_BACKEND: '' },
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

interface TrainDoc {
  run: { id: number; status: string; backend: string }
  final: { testAccuracy: number; testLoss: number; epochsDone: number }
  epochs: { epoch: number; trainLoss: number; valLoss: number }[]
}

const epochs = 4
const trainArgs = [
  'train',
  '--dataset',
  'clothes',
  '--preset',
  'small-cnn',
  '--epochs',
  String(epochs),
  '--batch-size',
  '16',
  // Augmented on the device (the same images as the CPU path draws for the seed).
  '--augment',
  'flip,crop:2,rotate:10',
  '--seed',
  '3',
  '--json'
]

describe('a small run on WebGPU through the CLI', () => {
  let dir: ReturnType<typeof tempDir>
  let home: string

  beforeAll(async () => {
    useWebgpuForTests()
    dir = tempDir()
    home = join(dir.path, 'home')
    await writeFashionSubset(join(dir.path, 'clothes'), 16)
    const imported = dgmw(
      ['import', join(dir.path, 'clothes'), '--size', '16', '--seed', '1', '--data-dir', home],
      'wasm'
    )
    expect(imported.code, imported.stderr).toBe(0)
  }, 120_000)
  afterAll(() => dir.cleanup())

  it('doctor reports the adapter it found', () => {
    const doctor = dgmw(['doctor', '--json', '--data-dir', home])
    expect(doctor.code, `${doctor.stderr} ${noAdapterAdvice}`).toBe(0)
    const report = JSON.parse(doctor.stdout) as {
      engine: { active: string; gpu?: GpuAdapterReport }
    }
    expect(report.engine.active).toBe('webgpu')
    expectAdapterReport(report.engine.gpu)
    // Dawn's complaints about XDG_RUNTIME_DIR stay out of the user's view.
    expect(doctor.stderr).not.toMatch(/XDG_RUNTIME_DIR/)
  })

  it('trains, resumes after a kill to the same end, evaluates, exports and predicts', async () => {
    // Kill the trainer once its second epoch is checkpointed.
    const child = spawn(
      process.execPath,
      [bin, ...trainArgs, '--backend', 'webgpu', '--data-dir', home],
      {
        env: { ...process.env, DGMW_BACKEND: '' },
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let stderr = ''
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk
        if (new RegExp(`epoch 2/${epochs}:`).test(stderr)) {
          child.kill('SIGKILL')
          resolve()
        }
      })
      child.once('exit', (code) => reject(new Error(`trainer exited (${code}) early: ${stderr}`)))
    })
    await new Promise((resolve) => child.once('exit', resolve))
    const listed = JSON.parse(dgmw(['runs', '--json', '--data-dir', home]).stdout) as {
      runs: { id: number; status: string }[]
    }
    expect(listed.runs[0].status).toBe('interrupted')
    const resumed = dgmw([
      'train',
      '--resume',
      String(listed.runs[0].id),
      '--json',
      '--data-dir',
      home
    ])
    expect(resumed.code, resumed.stderr).toBe(0)
    const doc = JSON.parse(resumed.stdout) as TrainDoc
    expect(doc.run.status).toBe('completed')
    // The run record names the GPU it trained on.
    expect(doc.run.backend).toMatch(/^webgpu · .+/)
    expect(doc.epochs.map((e) => e.epoch)).toEqual([...Array(epochs).keys()])

    const straight = dgmw([...trainArgs, '--data-dir', home])
    expect(straight.code, straight.stderr).toBe(0)
    const reference = JSON.parse(straight.stdout) as TrainDoc
    expect(doc.epochs.map((e) => e.trainLoss)).toEqual(reference.epochs.map((e) => e.trainLoss))
    expect(doc.final.testLoss).toBe(reference.final.testLoss)

    // The same run on wasm: the same curve to float32 rounding.
    const onWasm = dgmw([...trainArgs, '--data-dir', home], 'wasm')
    expect(onWasm.code, onWasm.stderr).toBe(0)
    const wasm = JSON.parse(onWasm.stdout) as TrainDoc
    wasm.epochs.forEach((e, i) =>
      expect(Math.abs(e.valLoss - doc.epochs[i].valLoss) / e.valLoss).toBeLessThan(1e-3)
    )
    expect(Math.abs(wasm.final.testLoss - doc.final.testLoss) / wasm.final.testLoss).toBeLessThan(
      1e-3
    )

    const evaluated = dgmw(['eval', String(doc.run.id), '--json', '--data-dir', home])
    expect(evaluated.code, evaluated.stderr).toBe(0)
    expect((JSON.parse(evaluated.stdout) as { accuracy: number }).accuracy).toBeCloseTo(
      doc.final.testAccuracy,
      6
    )

    // Exports are checked by runtimes we did not write, on images the GPU predicted.
    const onnxDir = join(dir.path, 'export-onnx')
    for (const [format, out] of [
      ['tfjs', join(dir.path, 'export-tfjs')],
      ['onnx', onnxDir]
    ]) {
      const exported = dgmw([
        'export',
        String(doc.run.id),
        '--format',
        format,
        '--out',
        out,
        '--json',
        '--data-dir',
        home
      ])
      expect(exported.code, exported.stderr).toBe(0)
    }

    const images = join(dir.path, 'clothes', 'Sneaker')
    expect(readdirSync(images).length).toBeGreaterThan(0)
    type Predictions = { predictions: { path: string; top1: string; probability: number }[] }
    const fromRun = dgmw(['predict', String(doc.run.id), images, '--json', '--data-dir', home])
    expect(fromRun.code, fromRun.stderr).toBe(0)
    const fromOnnx = dgmw(['predict', onnxDir, images, '--json', '--data-dir', home])
    expect(fromOnnx.code, fromOnnx.stderr).toBe(0)
    const a = (JSON.parse(fromRun.stdout) as Predictions).predictions
    const b = (JSON.parse(fromOnnx.stdout) as Predictions).predictions
    expect(a.length).toBe(16)
    expect(a.map((p) => p.top1)).toEqual(b.map((p) => p.top1))
    a.forEach((p, i) => expect(Math.abs(p.probability - b[i].probability)).toBeLessThan(1e-4))
  }, 600_000)

  it('trains a conditional VAE measured by the classifier, samples it and exports it', async () => {
    type Doc = {
      run: { id: number; status: string; backend: string }
      final: { fd: number; fdUntrained: number }
    }
    const train = (backend: string): Doc => {
      const run = dgmw(
        [
          'train',
          '--dataset',
          'clothes',
          '--recipe',
          'cvae',
          '--epochs',
          '1',
          '--width',
          '8',
          '--latent',
          '8',
          '--batch-size',
          '16',
          '--score-samples',
          '200',
          '--json',
          '--data-dir',
          home
        ],
        backend
      )
      expect(run.code, run.stderr).toBe(0)
      return JSON.parse(run.stdout) as Doc
    }
    const doc = train('webgpu')
    expect(doc.run.status).toBe('completed')
    expect(doc.run.backend).toMatch(/^webgpu · /)
    // FD in the features of the classifier trained above, measured on the GPU: the same as the
    // same run's on wasm (the classifier's features, the generator's images and the statistics).
    const wasm = train('wasm')
    expect(Number.isFinite(doc.final.fd)).toBe(true)
    expect(Math.abs(doc.final.fd - wasm.final.fd) / wasm.final.fd).toBeLessThan(1e-3)
    expect(
      Math.abs(doc.final.fdUntrained - wasm.final.fdUntrained) / wasm.final.fdUntrained
    ).toBeLessThan(1e-3)

    const grid = join(dir.path, 'cvae.png')
    const sampled = dgmw([
      'sample',
      String(doc.run.id),
      '--n',
      '10',
      '--out',
      grid,
      '--data-dir',
      home
    ])
    expect(sampled.code, sampled.stderr).toBe(0)
    expect(await sharp(grid).metadata()).toMatchObject({ format: 'png' })
    const exported = dgmw([
      'export',
      String(doc.run.id),
      '--format',
      'onnx',
      '--out',
      join(dir.path, 'cvae-onnx'),
      '--data-dir',
      home
    ])
    expect(exported.code, exported.stderr).toBe(0)
  }, 600_000)

  it('explains a prediction on WebGPU with the sanity check: Grad-CAM equals wasm’s', () => {
    // A classifier of its own (trained on wasm: the point here is explaining on WebGPU).
    const trained = dgmw(
      [
        'train',
        '--dataset',
        'clothes',
        '--epochs',
        '2',
        '--batch-size',
        '16',
        '--json',
        '--data-dir',
        home
      ],
      'wasm'
    )
    expect(trained.code, trained.stderr).toBe(0)
    const run = (JSON.parse(trained.stdout) as TrainDoc).run
    const folder = join(dir.path, 'clothes', 'Coat')
    const image = join(folder, readdirSync(folder).sort()[0])
    const maps: Record<string, Buffer> = {}
    for (const backend of ['webgpu', 'wasm']) {
      const out = join(dir.path, `explain-${backend}`)
      const done = dgmw(
        ['explain', String(run.id), image, '--method', 'gradcam', '--out', out, '--data-dir', home],
        backend
      )
      expect(done.code, done.stderr).toBe(0)
      const stem = readdirSync(out).find((f) => f.endsWith('.gradcam.png'))!
      maps[backend] = readFileSync(join(out, stem))
      expect(readdirSync(out).some((f) => f.endsWith('.gradcam.randomised.png'))).toBe(true)
    }
    expect(maps.webgpu.equals(maps.wasm)).toBe(true)
  }, 300_000)
})
