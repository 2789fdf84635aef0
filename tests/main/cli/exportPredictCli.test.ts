/**
 * `dgmw export` and `dgmw predict` as a researcher scripts them: the built CLI on real
 * Fashion-MNIST images. --json of predict has exactly the documented shape, in input order;
 * --csv prints one row per image; an existing export folder needs --force.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dgmw } from '../../helpers/dgmwCli'
import { writeFashionSubset } from '../../helpers/fashionSubset'
import { tempDir } from '../../helpers/tempDir'

describe('export and predict through the CLI', () => {
  let dir: ReturnType<typeof tempDir>
  let home: string
  let images: string
  let runId: number
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI JSON, checked field by field
  const json = (args: string[]): any => {
    const result = dgmw([...args, '--data-dir', home, '--json'])
    expect(result.code, result.stderr).toBe(0)
    return JSON.parse(result.stdout)
  }

  beforeAll(async () => {
    dir = tempDir()
    home = join(dir.path, 'home')
    const clothes = join(dir.path, 'clothes')
    await writeFashionSubset(clothes, 12)
    json(['import', clothes, '--name', 'clothes'])
    runId = json(['train', '--dataset', 'clothes', '--epochs', '2', '--batch-size', '32']).run.id
    images = join(dir.path, 'images')
    mkdirSync(images)
    for (const name of readdirSync(clothes).sort().slice(0, 3))
      copyFileSync(join(clothes, name, '0.png'), join(images, `${name}.png`))
    writeFileSync(join(images, 'zz-corrupt.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0, 1, 2, 3]))
  }, 180_000)
  afterAll(() => dir.cleanup())

  it('exports TF.js, refuses to overwrite without --force, and predicts with the folder', () => {
    const out = join(dir.path, 'export')
    const report = json(['export', String(runId), '--format', 'tfjs', '--out', out])
    const check = report.networks[0].verification
    expect(check.count).toBeGreaterThan(0)
    expect(check.sameTop1).toBe(check.count)
    const again = dgmw([
      'export',
      String(runId),
      '--format',
      'onnx',
      '--out',
      out,
      '--data-dir',
      home
    ])
    expect(again.code).not.toBe(0)
    expect(again.stderr).toMatch(/already exists.*--force/)
    expect(
      json(['export', String(runId), '--format', 'tfjs', '--out', out, '--force']).replaced
    ).toBe(true)

    const single = join(images, 'Bag.png')
    const predicted = json(['predict', out, single, images, '--top-k', '2'])
    expect(Object.keys(predicted).sort()).toEqual(['labels', 'predictions', 'skipped'])
    expect(predicted.labels).toHaveLength(10)
    // Input order: the file named first, then the folder's images in sorted order.
    expect(predicted.predictions.map((p: { path: string }) => p.path.split('/').pop())).toEqual([
      'Bag.png',
      'Ankle boot.png',
      'Bag.png',
      'Coat.png'
    ])
    for (const p of predicted.predictions) {
      expect(Object.keys(p).sort()).toEqual(['path', 'probability', 'top1', 'top1Index', 'topK'])
      expect(p.topK).toHaveLength(2)
      expect(Object.keys(p.topK[0]).sort()).toEqual(['index', 'label', 'probability'])
      expect(p.top1).toBe(predicted.labels[p.top1Index])
    }
    expect(predicted.skipped).toEqual([
      expect.objectContaining({ path: join(images, 'zz-corrupt.jpg'), reason: 'corrupt' })
    ])
    expect(predicted.skipped[0].detail.length).toBeGreaterThan(0)

    const csv = dgmw([
      'predict',
      String(runId),
      images,
      '--csv',
      '--top-k',
      '3',
      '--data-dir',
      home
    ])
    expect(csv.code, csv.stderr).toBe(0)
    const lines = csv.stdout.trim().split('\n')
    expect(lines[0]).toBe(
      'path,top1,top1_index,probability,top1_label,top1_probability,top2_label,top2_probability,top3_label,top3_probability'
    )
    expect(lines).toHaveLength(4)
    expect(csv.stderr).toMatch(/zz-corrupt\.jpg: corrupt/)
  })
})
