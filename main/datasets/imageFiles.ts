/** What counts as an image file, and what to pass over without a word. */

export const imageExtensions = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff']

/** System clutter that is never reported: macOS/Windows metadata and dotfiles. */
export function isIgnoredName(name: string): boolean {
  return (
    name.startsWith('.') || name === 'Thumbs.db' || name === 'desktop.ini' || name === '__MACOSX'
  )
}

export function hasImageExtension(name: string): boolean {
  const dot = name.lastIndexOf('.')
  return dot >= 0 && imageExtensions.includes(name.slice(dot).toLowerCase())
}

/** The format a file's first bytes announce, or undefined when they match no image format. */
export function sniffFormat(
  head: Uint8Array
): 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'tiff' | undefined {
  const at = (offset: number, ...bytes: number[]): boolean =>
    bytes.every((b, i) => head[offset + i] === b)
  if (at(0, 0x89, 0x50, 0x4e, 0x47)) return 'png'
  if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg'
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return 'gif'
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'webp'
  if (at(0, 0x42, 0x4d)) return 'bmp'
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return 'tiff'
  return undefined
}
