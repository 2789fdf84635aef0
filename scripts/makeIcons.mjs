#!/usr/bin/env node
// Renders the app icon (resources/icon.svg) into every file the platforms want: icon.png (the
// Electron window icon and the master for the others), the Linux sizes under resources/icons/,
// icon.ico (Windows) and icon.icns (macOS). The outputs are committed; rerun this after editing the
// SVG (`npm run icons`).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import png2icons from 'png2icons'
import sharp from 'sharp'

const resources = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources')
const svg = readFileSync(join(resources, 'icon.svg'))
const svgSize = 1024
const masterSize = 1024
// The hicolor theme's usual sizes (electron-builder and AppImage pick them up from icons/).
const linuxSizes = [16, 24, 32, 48, 64, 128, 256, 512]

/** The SVG rasterised at `size` pixels (drawn at that density, not scaled from a larger bitmap). */
function render(size) {
  return sharp(svg, { density: (72 * size) / svgSize })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toBuffer()
}

const master = await render(masterSize)
writeFileSync(join(resources, 'icon.png'), master)

mkdirSync(join(resources, 'icons'), { recursive: true })
for (const size of linuxSizes)
  writeFileSync(join(resources, 'icons', `${size}x${size}.png`), await render(size))

// png2icons scales every entry from one bitmap. Windows gets BMPs below 64 px and PNGs above
// (forWinExe: what an .exe's resources want); macOS gets 16 to 1024 (512@2x).
const ico = png2icons.createICO(master, png2icons.BICUBIC, 0, false, true)
const icns = png2icons.createICNS(master, png2icons.BICUBIC, 0)
if (!ico || !icns) throw new Error('png2icons could not convert resources/icon.png')
writeFileSync(join(resources, 'icon.ico'), ico)
writeFileSync(join(resources, 'icon.icns'), icns)
console.log(`resources/: icon.png, icons/{${linuxSizes.join(',')}}, icon.ico, icon.icns`)
