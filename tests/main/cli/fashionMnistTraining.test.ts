/**
 * The bar, through the command line as a researcher runs it: Debian's Fashion-MNIST
 * imported with `dgmw import`, the small CNN trained with `dgmw train` (about three minutes on two
 * cores), ≥ 90% test accuracy, and `dgmw eval` / `dgmw runs` agreeing with what training reported.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dgmw } from '../../helpers/dgmwCli'
import { fashionMnistDir as fashionMnist, requireFashionMnist } from '../../helpers/fashionSubset'
import { tempDir } from '../../helpers/tempDir'

interface TrainDoc {
  run: { id: number; status: string; backend: string }
  final: { testAccuracy: number; testLoss: number; epochsDone: number; seconds: number }
  epochs: { epoch: number; trainLoss: number; valAccuracy: number }[]
}

interface EvalDoc {
  accuracy: number
  labels: string[]
  confusion: number[][]
  perClass: { label: string; precision: number; recall: number; f1: number; support: number }[]
}

describe('Fashion-MNIST through the CLI', () => {
  let dir: ReturnType<typeof tempDir>
  let home: string

  beforeAll(() => {
    requireFashionMnist()
    dir = tempDir()
    home = join(dir.path, 'home')
    const imported = dgmw(['import', fashionMnist, '--seed', '1', '--data-dir', home])
    expect(imported.code, imported.stderr).toBe(0)
  }, 300_000)
  afterAll(() => dir?.cleanup())

  it('trains the small CNN to at least 90% test accuracy', () => {
    // The recipe bench/RESULTS.md settled on: Adam with a one-cycle schedule, 5 epochs.
    const trained = dgmw([
      'train',
      '--dataset',
      'fashion-mnist',
      '--preset',
      'small-cnn',
      '--epochs',
      '5',
      '--schedule',
      'one-cycle',
      '--lr',
      '0.003',
      '--batch-size',
      '128',
      '--seed',
      '1',
      '--json',
      '--data-dir',
      home
    ])
    expect(trained.code, trained.stderr).toBe(0)
    const doc = JSON.parse(trained.stdout) as TrainDoc
    expect(doc.run.status).toBe('completed')
    expect(doc.epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4])
    expect(doc.epochs[4].trainLoss).toBeLessThan(doc.epochs[0].trainLoss)
    console.log(
      `Fashion-MNIST through the CLI: ${(doc.final.testAccuracy * 100).toFixed(2)}% test accuracy ` +
        `after ${doc.final.seconds.toFixed(0)} s of training on ${doc.run.backend}`
    )
    expect(doc.final.testAccuracy).toBeGreaterThanOrEqual(0.9)

    const evaluated = dgmw(['eval', String(doc.run.id), '--json', '--data-dir', home])
    expect(evaluated.code, evaluated.stderr).toBe(0)
    const report = JSON.parse(evaluated.stdout) as EvalDoc
    // The saved weights are the trained ones: evaluating again gives the same accuracy.
    expect(report.accuracy).toBeCloseTo(doc.final.testAccuracy, 6)
    expect(report.labels).toContain('Ankle boot')
    expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(10_000)
    expect(report.perClass.map((c) => c.support)).toEqual(Array(10).fill(1000))
    const diagonal = report.confusion.reduce((sum, row, i) => sum + row[i], 0)
    expect(diagonal / 10_000).toBeCloseTo(report.accuracy, 6)

    const listed = JSON.parse(dgmw(['runs', '--json', '--data-dir', home]).stdout) as {
      runs: { id: number; status: string; headline: { testAccuracy?: number } }[]
    }
    expect(listed.runs[0]).toMatchObject({ id: doc.run.id, status: 'completed' })
    expect(listed.runs[0].headline.testAccuracy).toBeCloseTo(report.accuracy, 6)
  }, 900_000)
})
