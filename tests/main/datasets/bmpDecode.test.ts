/**
 * BMP decoding against a reference decoder: Debian's python3-pil writes (or reads, for the kinds it
 * cannot write) one 37 × 37 BMP of every common kind at test time, and the importer's own path,
 * decodeBytes at the image's own size (no resize to blur a difference), must give exactly PIL's
 * convert('RGB') pixels, and for grey kinds exactly its convert('L') pixels. Without python3-pil
 * the test fails, never skips (CI installs it).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeBytes } from '../../../main/datasets/decodeImage'
import { tempDir } from '../../helpers/tempDir'

interface Kind {
  kind: string
  width: number
  height: number
  grey: boolean
  writer: string
}

const python = '/usr/bin/python3'
const script = join(__dirname, '../../helpers/bmpKinds.py')
const seed = Number(process.env.DGMW_BMP_SEED ?? 18)
const dir = tempDir('dgmw-bmp-')
afterAll(dir.cleanup)

function writeKinds(): Kind[] {
  const run = spawnSync(python, [script, dir.path, String(seed)], {
    encoding: 'utf8',
    timeout: 60_000
  })
  if (run.status !== 0)
    throw new Error(
      `${python} ${script} failed (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr}\n` +
        "The reference decoder is Debian's python3-pil: apt-get install python3-pil"
    )
  return JSON.parse(run.stdout) as Kind[]
}

/** The largest absolute difference per byte, or the decoder's error when it refused the file. */
async function differenceFromPil(kind: Kind, channels: 1 | 3): Promise<number | string> {
  const bytes = readFileSync(join(dir.path, `${kind.kind}.bmp`))
  const expected = readFileSync(join(dir.path, `${kind.kind}.${channels === 3 ? 'rgb' : 'l'}`))
  const decoded = await decodeBytes(bytes, { size: kind.width, channels, fit: 'cover' })
  if (!decoded.ok) return `${decoded.reason}: ${decoded.detail}`
  if (decoded.pixels.length !== expected.length) return `${decoded.pixels.length} bytes`
  let max = 0
  decoded.pixels.forEach((value, i) => (max = Math.max(max, Math.abs(value - expected[i]))))
  return max
}

describe('BMP decoding matches PIL exactly', () => {
  it('for every common kind of BMP, in colour and (grey kinds) in grey', async () => {
    const kinds = writeKinds()
    expect(kinds.length).toBeGreaterThanOrEqual(18)
    const differences: Record<string, number | string> = {}
    const zero: Record<string, number> = {}
    for (const kind of kinds) {
      expect(kind.width, kind.kind).toBe(kind.height) // square, so decodeBytes does not resize
      differences[`${kind.kind} rgb`] = await differenceFromPil(kind, 3)
      if (kind.grey) differences[`${kind.kind} grey`] = await differenceFromPil(kind, 1)
    }
    for (const key of Object.keys(differences)) zero[key] = 0
    expect(differences, `max abs difference from PIL per kind (seed ${seed})`).toEqual(zero)
  })

  it('damaged BMPs get a reason, and a huge claimed size is refused before allocating', async () => {
    if (!existsSync(join(dir.path, '24bit.bmp'))) writeKinds()
    const read = (kind: string): Buffer => readFileSync(join(dir.path, `${kind}.bmp`))
    const options = { size: 37, channels: 3, fit: 'cover' } as const
    const reason = async (bytes: Buffer): Promise<string> => {
      const decoded = await decodeBytes(bytes, options)
      return decoded.ok ? 'imported' : `${decoded.reason}: ${decoded.detail}`
    }
    const claiming = (bytes: Buffer, width: number, height: number): Buffer => {
      const out = Buffer.from(bytes)
      out.writeInt32LE(width, 18)
      out.writeInt32LE(height, 22)
      return out
    }
    const rgb = read('24bit')
    expect(await reason(claiming(rgb, 20_000, -20_000))).toMatch(/^too-large: .*bomb/)
    expect(await reason(claiming(read('rle8'), 100_000, 100_000))).toMatch(/^too-large/)
    // Within the pixel limit but far more rows than the file holds: refused, not allocated.
    expect(await reason(claiming(rgb, 6000, 6000))).toMatch(/^corrupt: .*cut short/)
    expect(await reason(rgb.subarray(0, rgb.length - 200))).toMatch(/^corrupt: .*cut short/)
    const rle = read('rle8')
    expect(await reason(rle.subarray(0, rle.length - 40))).toMatch(/^corrupt: .*cut short/)
    const compressed = Buffer.from(rgb)
    compressed.writeUInt32LE(4, 30) // BI_JPEG
    expect(await reason(compressed)).toMatch(
      /^corrupt: .*not supported \(convert the file to PNG\)/
    )
  })
})
