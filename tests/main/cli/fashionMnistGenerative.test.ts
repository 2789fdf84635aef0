/**
 * The generative bar, through the command line: on Debian's Fashion-MNIST a DCGAN and a VAE, one
 * epoch each, produce samples whose FD (in the features of a classifier trained on the same data)
 * is well below the untrained generator's; `dgmw sample` writes a PNG grid and an ImageFolder that
 * `dgmw import` reads back as a dataset, the same images for the same seed.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dgmw } from '../../helpers/dgmwCli'
import { fashionMnistDir as fashionMnist, requireFashionMnist } from '../../helpers/fashionSubset'
import { tempDir } from '../../helpers/tempDir'

interface GenerativeDoc {
  run: { id: number; status: string; recipe: string }
  final: {
    fd: number
    fdUntrained: number
    classifierScore: number
    epochsDone: number
    seconds: number
  }
  epochs: Record<string, number>[]
}

describe('generative models on Fashion-MNIST through the CLI', () => {
  let dir: ReturnType<typeof tempDir>
  let home: string
  const trained: Record<string, GenerativeDoc> = {}

  beforeAll(() => {
    requireFashionMnist()
    dir = tempDir()
    home = join(dir.path, 'home')
    const imported = dgmw(['import', fashionMnist, '--seed', '1', '--data-dir', home])
    expect(imported.code, imported.stderr).toBe(0)
    // The classifier whose features measure the generators (one epoch is ~88% accurate).
    const classifier = dgmw([
      'train',
      '--dataset',
      'fashion-mnist',
      '--epochs',
      '1',
      '--json',
      '--data-dir',
      home
    ])
    expect(classifier.code, classifier.stderr).toBe(0)
  }, 600_000)
  afterAll(() => dir?.cleanup())

  it.each(['dcgan', 'vae'])(
    'a %s beats its untrained generator by far after one epoch',
    (recipe) => {
      const run = dgmw([
        'train',
        '--dataset',
        'fashion-mnist',
        '--recipe',
        recipe,
        '--epochs',
        '1',
        '--json',
        '--data-dir',
        home
      ])
      expect(run.code, run.stderr).toBe(0)
      const doc = JSON.parse(run.stdout) as GenerativeDoc
      trained[recipe] = doc
      console.log(
        `${recipe} on Fashion-MNIST: FD (dataset classifier) ${doc.final.fd.toFixed(1)} vs ` +
          `${doc.final.fdUntrained.toFixed(1)} untrained, classifier score ${doc.final.classifierScore.toFixed(2)}, ` +
          `${doc.final.seconds.toFixed(0)} s`
      )
      expect(doc.run.status).toBe('completed')
      expect(doc.final.fd).toBeLessThan(doc.final.fdUntrained / 3)
      // Samples a classifier sees as several different kinds of clothes, not one blob.
      expect(doc.final.classifierScore).toBeGreaterThan(2.5)
      expect(doc.epochs).toHaveLength(1)
    },
    900_000
  )

  it('samples a PNG grid and an importable ImageFolder, the same for the same seed', async () => {
    const id = String(trained.dcgan.run.id)
    const grid = join(dir.path, 'grid.png')
    const sampled = dgmw([
      'sample',
      id,
      '--n',
      '16',
      '--seed',
      '4',
      '--out',
      grid,
      '--json',
      '--data-dir',
      home
    ])
    expect(sampled.code, sampled.stderr).toBe(0)
    expect(await sharp(grid).metadata()).toMatchObject({ format: 'png', width: 4 * 28 + 5 * 2 })

    const folder = join(dir.path, 'synthetic')
    const again = join(dir.path, 'again')
    for (const out of [folder, again])
      expect(
        dgmw(['sample', id, '--n', '12', '--seed', '4', '--out', out, '--data-dir', home]).code
      ).toBe(0)
    const files = readdirSync(join(folder, 'samples'))
    expect(files).toHaveLength(12)
    for (const file of files)
      expect(
        readFileSync(join(folder, 'samples', file)).equals(
          readFileSync(join(again, 'samples', file))
        )
      ).toBe(true)

    const imported = dgmw(['import', folder, '--name', 'synthetic', '--json', '--data-dir', home])
    expect(imported.code, imported.stderr).toBe(0)
    expect(JSON.parse(imported.stdout)).toMatchObject({ imported: 12, skipped: [] })
  }, 300_000)
})
