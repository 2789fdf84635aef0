/**
 * `dgmw explain` as a researcher scripts it: the built CLI on a real Fashion-MNIST run writes
 * the same maps the Explain panel shows (the PNG is the contract's map coloured, pixel for
 * pixel), the overlay and the randomised-weights map, and an explain.json with the scores.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { colourPlane } from '../../../preload/colourMaps'
import type { Prediction, RunDetail } from '../../../preload/contract'
import { dgmw } from '../../helpers/dgmwCli'
import { openFashionWorkbench, type FashionWorkbench } from '../../helpers/fashionWorkbench'

describe('dgmw explain', () => {
  let opened: FashionWorkbench
  let run: RunDetail
  let wrong: Prediction
  let home: string

  beforeAll(async () => {
    opened = await openFashionWorkbench(20)
    home = opened.workbench.dataDir
    run = await opened.train({
      datasetId: opened.report.dataset.id,
      recipe: 'classifier',
      config: { epochs: 4, batchSize: 32, learningRate: 3e-3, seed: 1 }
    })
    wrong = (await opened.client.request('runs/predictions', { id: run.id, wrong: true, limit: 1 }))
      .items[0]
  }, 180_000)
  afterAll(() => opened.close())

  it('writes the Explain panel’s Grad-CAM map, overlay and sanity check, and the scores', async () => {
    const out = join(opened.dir.path, 'maps')
    const result = dgmw([
      'explain',
      String(run.id),
      `index:${wrong.idx}`,
      '--method',
      'gradcam',
      '--out',
      out,
      '--data-dir',
      home,
      '--json'
    ])
    expect(result.code, result.stderr).toBe(0)
    const printed = JSON.parse(result.stdout)
    expect(JSON.parse(readFileSync(join(out, 'explain.json'), 'utf8'))).toEqual(printed)
    const entry = printed.images[0]
    expect(entry.predicted).toBe(run.classNames[wrong.predicted])
    expect(entry.label).toBe(run.classNames[wrong.label])
    expect(entry.explainedClass).toBe(entry.predicted)
    expect(entry.layer.height).toBe(11)
    expect(entry.sanityCheck.rankCorrelation).toBeLessThan(0.9)
    expect(
      Object.values(entry.probabilities as Record<string, number>).reduce((a, b) => a + b, 0)
    ).toBeCloseTo(1, 3)
    expect(readdirSync(out).sort()).toEqual([
      'explain.json',
      `image-${wrong.idx}.gradcam.overlay.png`,
      `image-${wrong.idx}.gradcam.png`,
      `image-${wrong.idx}.gradcam.randomised.png`
    ])
    // The same map as the contract gives the panel, coloured with the shared colour map.
    const panel = await opened.client.request('explain/saliency', {
      runId: run.id,
      image: { datasetIndex: wrong.idx },
      method: 'gradcam'
    })
    const png = await sharp(join(out, `image-${wrong.idx}.gradcam.png`))
      .raw()
      .toBuffer({ resolveWithObject: true })
    expect(png.info.width).toBe(28 * 9) // enlarged to about 256 pixels
    const factor = 9
    const sampled = new Uint8Array(28 * 28 * 3)
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++)
        sampled.set(
          png.data.subarray(
            (y * factor * png.info.width + x * factor) * 3,
            (y * factor * png.info.width + x * factor) * 3 + 3
          ),
          (y * 28 + x) * 3
        )
    expect(
      Buffer.from(sampled).equals(
        Buffer.from(colourPlane(Buffer.from(panel.trained.map.data, 'base64')))
      )
    ).toBe(true)
    expect(panel.cached).toBe(false) // the CLI ran in its own process, with its own cache
  }, 120_000)

  it('explains image files for a class named on the command line, and refuses unknown ones', () => {
    const folder = join(opened.dir.path, 'clothes', 'Bag')
    const file = join(folder, readdirSync(folder).sort()[0])
    const out = join(opened.dir.path, 'bag')
    const ok = dgmw([
      'explain',
      String(run.id),
      file,
      '--class',
      'bag',
      '--method',
      'smoothgrad',
      '--samples',
      '8',
      '--no-sanity',
      '--out',
      out,
      '--data-dir',
      home
    ])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/Bag/)
    const written = JSON.parse(readFileSync(join(out, 'explain.json'), 'utf8'))
    expect(written.images[0].explainedClass).toBe('Bag')
    expect(written.images[0].smoothGrad).toEqual({ samples: 8, noise: 0.15, seed: 0 })
    expect(existsSync(join(out, '0.smoothgrad.png'))).toBe(true)
    expect(existsSync(join(out, '0.smoothgrad.randomised.png'))).toBe(false)
    const bad = dgmw(['explain', String(run.id), file, '--class', 'hats', '--data-dir', home])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/--class is a class index \(0–9\) or name/)
  }, 120_000)
})
