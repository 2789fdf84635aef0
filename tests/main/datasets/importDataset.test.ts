import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import sharp from 'sharp'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { encodeIdxImages, encodeIdxLabels } from '../../../main/datasets/idxReader'
import { importDataset } from '../../../main/datasets/importDataset'
import { openRunStore, type RunStore } from '../../../main/store/runStore'
import { fashionMnistDir, requireFashionMnist } from '../../helpers/fashionSubset'
import { writeMessyImageFolder } from '../../helpers/imageFixtures'
import { tempDir } from '../../helpers/tempDir'

const fashionMnist = fashionMnistDir

describe('importing datasets', () => {
  let messy: ReturnType<typeof tempDir>
  let home: ReturnType<typeof tempDir>
  let store: RunStore

  beforeAll(async () => {
    messy = tempDir('dgmw-messy-')
    await writeMessyImageFolder(messy.path)
    return () => messy.cleanup()
  })
  beforeEach(() => {
    home = tempDir('dgmw-home-')
    store = openRunStore(join(home.path, 'workbench.sqlite'))
  })
  afterEach(() => {
    store.close()
    home.cleanup()
  })

  it('imports a messy image folder and reports every file it did not use, with the reason', async () => {
    const report = await importDataset(store, home.path, messy.path)
    expect(report.skipped).toEqual([
      { path: 'cat/empty.png', reason: 'empty', detail: 'zero-byte file' },
      {
        path: 'cat/notes.txt',
        reason: 'not-image',
        detail: 'not an image file extension (PNG, JPEG, WebP, GIF, BMP, TIFF)'
      },
      {
        path: 'cat/text.png',
        reason: 'not-image',
        detail: 'has an image extension but its content is not PNG, JPEG, WebP, GIF, BMP or TIFF'
      },
      {
        path: 'cat/truncated.png',
        reason: 'corrupt',
        detail: expect.stringMatching(/^cannot be decoded: /)
      },
      { path: 'dog/broken-link.png', reason: 'unreadable', detail: 'broken symbolic link' },
      {
        path: 'dog/huge.png',
        reason: 'too-large',
        detail: 'more than 40,000,000 pixels (decompression-bomb guard)'
      },
      {
        path: 'dog/loop/',
        reason: 'unreadable',
        detail: 'symbolic link loop: this folder was already visited'
      }
    ])
    expect(report.duplicates).toEqual([
      { paths: ['cat/a.png', 'dog/a-again.png'], sameClass: false },
      { paths: ['dog/x-copy.png', 'dog/x.png'], sameClass: true }
    ])
    expect(report.classes).toEqual([
      { name: 'bird', count: 1 },
      { name: 'cat', count: 12 },
      { name: 'dog', count: 4 }
    ])
    expect(report.imported).toBe(17)
    expect(report.warnings).toEqual([
      "size 32×32 picked from the images' median short side",
      'class folder "empty_class" has no images; it is left out',
      'class "bird" has only 1 image',
      'class "dog" has only 4 images',
      'classes are imbalanced: "cat" has 12.0× the images of "bird" (12 vs 1); consider class weights',
      '1 image is filed under more than one class; no copy of it is used'
    ])
    expect(report.dataset).toMatchObject({
      name: 'dgmw-messy-' + messy.path.split('dgmw-messy-')[1],
      kind: 'image-folder',
      size: 32,
      channels: 3,
      imageCount: 17
    })
    expect(statSync(report.dataset.cacheFile).size).toBe(17 * 32 * 32 * 3)

    const { items, total } = store.datasets.listImages(report.dataset.id, { limit: 100 })
    expect(total).toBe(17)
    const paths = items.map((i) => i.path)
    expect(paths).toContain('cat/ünï cödé ñame.png')
    expect(paths).toContain('cat/nested/deeper/l.png')
    expect(paths).toContain('cat/d.GIF')
    expect(paths).not.toContain('cat/a.png')
    expect(paths.filter((p) => p.startsWith('dog/x'))).toHaveLength(1)
  })

  it('stores decoded pixels, resized, in the cache in index order', async () => {
    const report = await importDataset(store, home.path, messy.path, { size: 16 })
    const cache = readFileSync(report.dataset.cacheFile)
    const bird = store.datasets.listImages(report.dataset.id, { label: 0 }).items[0]
    const pixels = cache.subarray(bird.idx * 16 * 16 * 3, (bird.idx + 1) * 16 * 16 * 3)
    expect(Array.from(pixels.subarray(0, 3))).toEqual([250, 250, 250]) // corner: the background
    const centre = (8 * 16 + 8) * 3
    expect(pixels[centre]).toBeLessThan(20) // centre: the dark square
  })

  it('keeps a train/test folder split and carves a stratified validation set from train', async () => {
    const root = join(home.path, 'split')
    for (const split of ['train', 'test'])
      for (const cls of ['a', 'b']) {
        mkdirSync(join(root, split, cls), { recursive: true })
        for (let i = 0; i < (split === 'train' ? 20 : 5); i++) {
          await sharp({
            create: {
              width: 8,
              height: 8,
              channels: 3,
              background: {
                r: cls === 'a' ? 10 * i : 200,
                g: 5 * i,
                b: split === 'train' ? 0 : 255
              }
            }
          })
            .png()
            .toFile(join(root, split, cls, `${i}.png`))
        }
      }
    const report = await importDataset(store, home.path, root, { size: 8, seed: 3 })
    expect(report.dataset.kind).toBe('split-image-folder')
    expect(report.splits).toEqual({ train: 36, val: 4, test: 10 })
    const test = store.datasets.listImages(report.dataset.id, { split: 'test', limit: 100 }).items
    expect(test.every((i) => i.path.startsWith('test/'))).toBe(true)
    const val = store.datasets.listImages(report.dataset.id, { split: 'val', limit: 100 }).items
    expect(val.filter((i) => i.label === 0)).toHaveLength(2)
    expect(val.filter((i) => i.label === 1)).toHaveLength(2)
  })

  it('imports an unlabelled folder, and picks one channel when every image is grey', async () => {
    const root = join(home.path, 'faces')
    mkdirSync(root)
    for (let i = 0; i < 12; i++)
      await sharp({
        create: { width: 30, height: 30, channels: 3, background: { r: 9 * i, g: 9 * i, b: 9 * i } }
      })
        .png()
        .toFile(join(root, `${i}.png`))
    const report = await importDataset(store, home.path, root)
    expect(report.dataset).toMatchObject({
      kind: 'unlabelled',
      channels: 1,
      size: 28,
      classNames: []
    })
    expect(store.datasets.listImages(report.dataset.id).items.every((i) => i.label === null)).toBe(
      true
    )
    expect(report.splits.train + report.splits.val + report.splits.test).toBe(12)
  })

  it('reads IDX files, gzipped or raw, with class names from labels.txt', async () => {
    const root = join(home.path, 'idx')
    mkdirSync(root)
    const pixels = Uint8Array.from({ length: 6 * 4 * 4 }, (_, i) => i % 256)
    writeFileSync(
      join(root, 'train-images-idx3-ubyte.gz'),
      gzipSync(encodeIdxImages(pixels.subarray(0, 64), 4, 4, 4))
    )
    writeFileSync(
      join(root, 'train-labels-idx1-ubyte.gz'),
      gzipSync(encodeIdxLabels(Uint8Array.of(0, 1, 2, 1)))
    )
    writeFileSync(
      join(root, 't10k-images-idx3-ubyte'),
      encodeIdxImages(pixels.subarray(64), 2, 4, 4)
    )
    writeFileSync(join(root, 't10k-labels-idx1-ubyte'), encodeIdxLabels(Uint8Array.of(2, 0)))
    writeFileSync(join(root, 'labels.txt'), 'zero\none\ntwo\n')
    const report = await importDataset(store, home.path, root)
    expect(report.dataset).toMatchObject({
      kind: 'idx',
      size: 4,
      channels: 1,
      classNames: ['zero', 'one', 'two']
    })
    expect(report.classes.map((c) => c.count)).toEqual([2, 2, 2])
    expect(report.splits.test).toBe(2)
    const cache = readFileSync(report.dataset.cacheFile)
    expect(Array.from(cache)).toEqual(Array.from(pixels)) // t10k after train, bytes unchanged
    expect(store.datasets.listImages(report.dataset.id).items.map((i) => i.path)[4]).toBe(
      't10k-images-idx3-ubyte#0'
    )
  })

  it('rejects an IDX file with the wrong magic number, and leaves nothing behind', async () => {
    const root = join(home.path, 'bad-idx')
    mkdirSync(root)
    writeFileSync(join(root, 'train-images-idx3-ubyte'), encodeIdxLabels(Uint8Array.of(1, 2, 3)))
    writeFileSync(join(root, 'train-labels-idx1-ubyte'), encodeIdxLabels(Uint8Array.of(1, 2, 3)))
    await expect(importDataset(store, home.path, root)).rejects.toThrow(
      /is not an IDX image file \(magic 0x00000801, expected 0x00000803\)/
    )
    expect(store.datasets.list()).toEqual([])
    expect(readdirSync(join(home.path, 'datasets'))).toEqual([])
  })

  it('reads CIFAR-10 batches: planes interleaved into RGB, names from batches.meta.txt', async () => {
    const root = join(home.path, 'cifar')
    mkdirSync(root)
    const record = (label: number, r: number, g: number, b: number): Buffer =>
      Buffer.concat([
        Buffer.of(label),
        Buffer.alloc(1024, r),
        Buffer.alloc(1024, g),
        Buffer.alloc(1024, b)
      ])
    writeFileSync(
      join(root, 'data_batch_1.bin'),
      Buffer.concat([record(3, 10, 20, 30), record(1, 1, 2, 3)])
    )
    writeFileSync(join(root, 'data_batch_2.bin'), record(3, 40, 50, 60))
    writeFileSync(join(root, 'test_batch.bin'), record(0, 7, 8, 9))
    writeFileSync(join(root, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\n\n')
    const report = await importDataset(store, home.path, root)
    expect(report.dataset).toMatchObject({
      kind: 'cifar-10',
      size: 32,
      channels: 3,
      classNames: ['airplane', 'automobile', 'bird', 'cat']
    })
    const cache = readFileSync(report.dataset.cacheFile)
    expect(Array.from(cache.subarray(0, 6))).toEqual([10, 20, 30, 10, 20, 30])
    expect(Array.from(cache.subarray(3 * 3072, 3 * 3072 + 3))).toEqual([7, 8, 9])
    expect(report.splits.test).toBe(1)
  })

  it("imports Fashion-MNIST from Debian's dataset-fashion-mnist", async () => {
    requireFashionMnist()
    const report = await importDataset(store, home.path, fashionMnist)
    expect(report.imported).toBe(70_000)
    expect(report.dataset.classNames[9]).toBe('Ankle boot')
    expect(report.splits).toEqual({ train: 54_000, val: 6_000, test: 10_000 })
    expect(statSync(report.dataset.cacheFile).size).toBe(70_000 * 28 * 28)
  })

  it('refuses an empty folder in a sentence that says what to put in it', async () => {
    const root = join(home.path, 'empty')
    mkdirSync(root)
    await expect(importDataset(store, home.path, root)).rejects.toThrow(
      `${root} has no image files in it. Put the images in it (one subfolder per class, e.g. ${join(root, 'cat', '001.png')}) and import it again.`
    )
    expect(store.datasets.list()).toEqual([])
  })

  it('refuses a folder with no usable image, saying why, and writes nothing', async () => {
    const root = join(home.path, 'nothing')
    mkdirSync(join(root, 'a'), { recursive: true })
    writeFileSync(join(root, 'a', 'x.png'), '')
    await expect(importDataset(store, home.path, root)).rejects.toThrow(
      /^The only file in .*nothing, a\/x.png, could not be imported \(zero-byte file\)\. Check that it holds image files/
    )
    expect(store.datasets.list()).toEqual([])
    expect(readdirSync(join(home.path, 'datasets'))).toEqual([])
  })
})
