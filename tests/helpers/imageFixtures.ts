/**
 * Builds a real image-folder dataset on disk, with every kind of bad input the import must report:
 * real PNG/JPEG/WebP/GIF/BMP/TIFF files (16-bit, palette, grey+alpha, RGBA, CMYK), nested folders,
 * Unicode names, and empty, fake, truncated, oversized, unreadable, duplicate and looping entries.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { encode as encodeBmp } from 'fast-bmp'
import sharp, { type Sharp } from 'sharp'

/** A solid-colour image with a lighter square, so each file differs and has content. */
function picture(
  width: number,
  height: number,
  rgb: [number, number, number],
  channels: 3 | 4 = 3
): Sharp {
  const data = Buffer.alloc(width * height * channels)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const inner = x > width / 4 && x < (3 * width) / 4 && y > height / 4 && y < (3 * height) / 4
      const at = (y * width + x) * channels
      for (let c = 0; c < 3; c++) data[at + c] = inner ? 255 - rgb[c] : rgb[c]
      if (channels === 4) data[at + 3] = inner ? 128 : 255
    }
  return sharp(data, { raw: { width, height, channels } })
}

function bmp(width: number, height: number, rgb: [number, number, number]): Buffer {
  const data = new Uint8Array(width * height * 3)
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3)
  return Buffer.from(
    encodeBmp({ width, height, data, bitsPerPixel: 24, components: 3, channels: 3 })
  )
}

export async function writeMessyImageFolder(root: string): Promise<void> {
  const dirs = ['cat', 'cat/nested/deeper', 'dog', 'bird', 'empty_class']
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true })
  const cat = (name: string): string => join(root, 'cat', name)
  await picture(40, 30, [200, 30, 30]).png().toFile(cat('a.png'))
  await picture(32, 32, [30, 200, 30]).jpeg().toFile(cat('b.jpg'))
  await picture(32, 32, [30, 30, 200]).webp().toFile(cat('c.webp'))
  await picture(32, 32, [90, 90, 20]).gif().toFile(cat('d.GIF'))
  writeFileSync(cat('e.bmp'), bmp(20, 20, [10, 120, 240]))
  await picture(32, 32, [60, 10, 90]).tiff().toFile(cat('f.tiff'))
  await picture(32, 32, [70, 140, 210]).toColourspace('rgb16').png().toFile(cat('g-16bit.png'))
  await picture(32, 32, [250, 200, 0])
    .png({ palette: true, colours: 8 })
    .toFile(cat('h-palette.png'))
  await picture(32, 32, [100, 100, 100], 4)
    .toColourspace('b-w')
    .png()
    .toFile(cat('i-grey-alpha.png'))
  await picture(32, 32, [20, 220, 120], 4).png().toFile(cat('j-rgba.png'))
  await picture(32, 32, [200, 100, 50]).toColourspace('cmyk').jpeg().toFile(cat('k-cmyk.jpg'))
  await picture(32, 32, [5, 5, 250]).png().toFile(join(root, 'cat/nested/deeper/l.png'))
  await picture(32, 32, [160, 60, 160]).png().toFile(cat('ünï cödé ñame.png'))
  writeFileSync(cat('empty.png'), '')
  writeFileSync(cat('text.png'), 'this is not an image\n')
  const full = await picture(64, 64, [0, 0, 0]).png().toBuffer()
  writeFileSync(cat('truncated.png'), full.subarray(0, Math.floor(full.length / 2)))
  writeFileSync(cat('notes.txt'), 'labelling notes')
  writeFileSync(cat('.DS_Store'), 'mac metadata')
  writeFileSync(cat('Thumbs.db'), 'windows metadata')

  const dog = (name: string): string => join(root, 'dog', name)
  // The same file under two classes: conflicting labels, so no copy is used.
  writeFileSync(dog('a-again.png'), await picture(40, 30, [200, 30, 30]).png().toBuffer())
  await picture(32, 32, [0, 200, 200]).png().toFile(dog('x.png'))
  writeFileSync(dog('x-copy.png'), await picture(32, 32, [0, 200, 200]).png().toBuffer())
  for (let i = 0; i < 3; i++)
    await picture(32, 32, [40 * i, 80, 160])
      .png()
      .toFile(dog(`y${i}.png`))
  // 7,000 × 7,000 = 49 megapixels: over the decompression-bomb limit, yet tiny on disk.
  await sharp({ create: { width: 7000, height: 7000, channels: 3, background: '#000' } })
    .png()
    .toFile(dog('huge.png'))
  symlinkSync(join(root, 'dog', 'missing.png'), dog('broken-link.png'))
  symlinkSync(root, join(root, 'dog', 'loop'))

  await picture(32, 32, [250, 250, 250])
    .png()
    .toFile(join(root, 'bird', 'only.png'))
}
