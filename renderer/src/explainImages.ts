/**
 * Explanation maps as canvas pixels: the contract's uint8 planes coloured with the shared colour
 * maps (preload/colourMaps.ts, the same the CLI writes PNGs with) and laid over their image.
 */
import { colourPlane, overlayPlane, type ColourMapName } from '../../preload/colourMaps'
import type { ImagePixels } from '../../preload/contract'
import { decodePixels } from './composables/useDatasetImages'

/** RGB bytes (3 per pixel) as canvas RGBA. */
function rgbToRgba(rgb: Uint8Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray((rgb.length / 3) * 4)
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    out[j] = rgb[i]
    out[j + 1] = rgb[i + 1]
    out[j + 2] = rgb[i + 2]
    out[j + 3] = 255
  }
  return out
}

/** The map over its image, each pixel's colour weighted by opacity × importance. */
export function overlayRgba(
  image: ImagePixels,
  map: ImagePixels,
  opacity: number
): Uint8ClampedArray {
  return rgbToRgba(
    overlayPlane(decodePixels(image.data), image.channels, decodePixels(map.data), opacity)
  )
}

/** Plane `k` of concatenated one-channel planes, coloured. */
export function planeRgba(planes: ImagePixels, k: number, map: ColourMapName): Uint8ClampedArray {
  const size = planes.width * planes.height
  return rgbToRgba(colourPlane(decodePixels(planes.data).subarray(k * size, (k + 1) * size), map))
}

/** The colour map as a CSS gradient, for colour bars. */
export function colourGradient(map: ColourMapName): string {
  const stops = Array.from({ length: 9 }, (_, i) => {
    const byte = Math.round((i / 8) * 255)
    const [r, g, b] = colourPlane(Uint8Array.of(byte), map)
    return `rgb(${r} ${g} ${b}) ${(i / 8) * 100}%`
  })
  return `linear-gradient(to right, ${stops.join(', ')})`
}

/** Draws RGBA pixels enlarged (nearest neighbour) onto a new canvas and returns its PNG as a data URL. */
export function enlargedPng(
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
  factor: number
): string {
  const small = document.createElement('canvas')
  small.width = width
  small.height = height
  small
    .getContext('2d')!
    .putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0)
  const big = document.createElement('canvas')
  big.width = width * factor
  big.height = height * factor
  const context = big.getContext('2d')!
  context.imageSmoothingEnabled = false
  context.drawImage(small, 0, 0, big.width, big.height)
  return big.toDataURL('image/png')
}
