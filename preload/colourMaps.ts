/**
 * Colour maps for explanation maps, shared by the renderer (canvas overlays) and the CLI (PNG
 * files), so a map looks the same wherever it is seen. Pure functions on uint8 planes.
 * - inferno: matplotlib's perceptually uniform map (dark = low, bright yellow = high), as the
 *   degree-6 polynomial fit of Matt Zucker (shadertoy WlfXRN, CC0), within 1/255 of the table;
 * - diverging: blue (below 128) – white (128) – red (above), for signed differences.
 */

const infernoCoefficients = [
  [0.0002189403691192265, 0.001651004631001012, -0.01948089843709184],
  [0.1065134194856116, 0.5639564367884091, 3.932712388889277],
  [11.60249308247187, -3.972853965665698, -15.9423941062914],
  [-41.70399613139459, 17.43639888205313, 44.35414519872813],
  [77.162935699427, -33.40235894210092, -81.80730925738993],
  [-71.31942824499214, 32.62606426397723, 73.20951985803202],
  [25.13112622477341, -12.24266895238567, -23.07032500287172]
]

const clampByte = (v: number): number => Math.max(0, Math.min(255, Math.round(v * 255)))

/** inferno at t ∈ [0, 1] as [r, g, b] bytes. */
export function inferno(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t))
  return [0, 1, 2].map((k) =>
    clampByte(infernoCoefficients.reduceRight((sum, c) => sum * x + c[k], 0))
  ) as [number, number, number]
}

/** Blue – white – red for a byte where 128 means zero. */
export function diverging(byte: number): [number, number, number] {
  const d = (byte - 128) / 127
  const fade = (v: number): number => clampByte(1 - Math.min(1, Math.abs(v)))
  return d >= 0 ? [255, fade(d), fade(d)] : [fade(d), fade(d), 255]
}

/** The 256 colours of a map, looked up once per byte value. */
const tables = {
  inferno: Array.from({ length: 256 }, (_, i) => inferno(i / 255)),
  diverging: Array.from({ length: 256 }, (_, i) => diverging(i))
}
export type ColourMapName = keyof typeof tables

/** A one-channel plane coloured: RGB bytes, 3 per pixel. */
export function colourPlane(plane: Uint8Array, map: ColourMapName = 'inferno'): Uint8Array {
  const table = tables[map]
  const out = new Uint8Array(plane.length * 3)
  plane.forEach((v, i) => out.set(table[v], i * 3))
  return out
}

/**
 * The map laid over the image: image RGB (grey images repeated) mixed with the coloured map,
 * each pixel's colour weighted by `opacity` × its map value — unimportant pixels show the image
 * as it is, important ones the map's colour (opacity 0: only the image). RGB bytes, 3 per pixel.
 */
export function overlayPlane(
  image: Uint8Array,
  channels: number,
  plane: Uint8Array,
  opacity: number,
  map: ColourMapName = 'inferno'
): Uint8Array {
  const colours = colourPlane(plane, map)
  const out = new Uint8Array(plane.length * 3)
  for (let i = 0; i < plane.length; i++) {
    const alpha = (opacity * plane[i]) / 255
    for (let k = 0; k < 3; k++) {
      const base = image[i * channels + (channels === 1 ? 0 : k)]
      out[i * 3 + k] = Math.round(base * (1 - alpha) + colours[i * 3 + k] * alpha)
    }
  }
  return out
}
