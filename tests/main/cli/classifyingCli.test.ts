/**
 * Generative classifiers from the command line, as a researcher scripts them: the built `dgmw`
 * on real Fashion-MNIST images. Every classifying recipe's --json carries final.testAccuracy; the
 * label-budget experiment prints its result and writes its CSV.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LabelBudgetResult } from '../../../preload/contract'
import { dgmw } from '../../helpers/dgmwCli'
import { writeFashionSubset } from '../../helpers/fashionSubset'
import { tempDir } from '../../helpers/tempDir'

describe('generative classifiers through the CLI', () => {
  let dir: ReturnType<typeof tempDir>
  let home: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI JSON, checked field by field
  const json = (args: string[]): any => {
    const result = dgmw([...args, '--data-dir', home, '--json'])
    expect(result.stderr.includes('Unexpected error')).toBe(false)
    expect(result.code, result.stderr).toBe(0)
    return JSON.parse(result.stdout)
  }

  beforeAll(async () => {
    dir = tempDir()
    home = join(dir.path, 'home')
    await writeFashionSubset(join(dir.path, 'clothes'), 16)
    json(['import', join(dir.path, 'clothes'), '--name', 'clothes'])
  }, 120_000)
  afterAll(() => dir.cleanup())

  let generatorRun: number
  it('trains gen-bayes and reports its test accuracy and OOD rate', () => {
    const out = json([
      'train',
      '--dataset',
      'clothes',
      '--recipe',
      'gen-bayes',
      '--epochs',
      '3',
      '--width',
      '8',
      '--latent',
      '4',
      '--importance-samples',
      '2',
      '--labels-per-class',
      '6',
      // Exactly 3 epochs (a label budget would raise them to 2,000 steps).
      '--min-steps',
      '0'
    ])
    generatorRun = out.run.id
    expect(out.run.status).toBe('completed')
    expect(out.final.testAccuracy).toBeGreaterThanOrEqual(0)
    expect(out.final.labelledImages).toBe(60)
    expect(out.final.oodRate).toBeGreaterThanOrEqual(0)
  }, 300_000)

  it('trains CAS on the generator and refuses it without one', () => {
    const refused = dgmw(['train', '--dataset', 'clothes', '--recipe', 'cas', '--data-dir', home])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/--generator <run>/)
    const out = json([
      'train',
      '--dataset',
      'clothes',
      '--recipe',
      'cas',
      '--generator',
      String(generatorRun),
      '--epochs',
      '1'
    ])
    expect(out.run.recipe).toBe('cas')
    expect(out.final.testAccuracy).toBeGreaterThanOrEqual(0)
  }, 300_000)

  it('runs a label-budget experiment and writes its CSV', () => {
    const csv = join(dir.path, 'budget.csv')
    const out = json([
      'experiment',
      'label-budget',
      '--dataset',
      'clothes',
      '--recipes',
      'classifier,sgan',
      '--budgets',
      '4,all',
      '--steps',
      '4',
      '--batch-size',
      '16',
      '--csv',
      csv
    ]) as LabelBudgetResult
    expect(out.total).toBe(4)
    expect(out.done).toBe(4)
    for (const cell of out.cells) expect(cell.mean).toBeGreaterThan(0)
    expect(existsSync(csv)).toBe(true)
    const lines = readFileSync(csv, 'utf8').trim().split('\n')
    expect(lines[0]).toMatch(/^row,recipe,budget,labels_per_class/)
    expect(lines).toHaveLength(1 + 4 + 4)
  }, 300_000)
})
