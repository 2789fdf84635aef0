import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'

/** Two classes a person tells apart at once: the bright half is on the left, or on the right. */
export async function writeHalves(root: string, perClass = 40): Promise<void> {
  let state = 7
  const noise = (): number => ((state = (state * 1103515245 + 12345) >>> 0) >>> 24) % 60
  for (const side of ['left', 'right']) {
    mkdirSync(join(root, side), { recursive: true })
    for (let i = 0; i < perClass; i++) {
      const data = Buffer.alloc(28 * 28)
      for (let y = 0; y < 28; y++)
        for (let x = 0; x < 28; x++)
          data[y * 28 + x] = (side === 'left' ? x < 14 : x >= 14) ? 190 + noise() : noise()
      await sharp(data, { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(join(root, side, `${i}.png`))
    }
  }
}
