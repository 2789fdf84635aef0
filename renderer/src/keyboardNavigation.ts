/**
 * Where a key press moves focus in a row of tabs or a grid of cells: pure index arithmetic, kept
 * out of the components so it can be unit-tested (WAI-ARIA Authoring Practices: tabs, grid).
 */

/**
 * The tab index a key moves to in a tablist of `count` tabs (arrows wrap around, Home/End go to the
 * ends), or null when the key is not a tablist key.
 */
export function tabIndexAfterKey(key: string, current: number, count: number): number | null {
  if (count === 0) return null
  switch (key) {
    case 'ArrowRight':
      return (current + 1) % count
    case 'ArrowLeft':
      return (current - 1 + count) % count
    case 'Home':
      return 0
    case 'End':
      return count - 1
    default:
      return null
  }
}

export interface GridShape {
  /** How many cells there are. */
  count: number
  /** Cells per row. */
  columns: number
  /** Rows that fit on screen: PageUp/PageDown move by this many. */
  pageRows: number
}

/**
 * The cell a key moves to in a grid laid out row by row (the last row may be short), or null when
 * the key is not a grid key. Arrows stop at the edges rather than wrap, as the ARIA grid pattern
 * says; Home/End go to the row's ends, Ctrl+Home/Ctrl+End to the grid's.
 */
export function gridIndexAfterKey(
  key: string,
  current: number,
  { count, columns, pageRows }: GridShape,
  ctrl = false
): number | null {
  if (count === 0) return null
  const last = count - 1
  const at = Math.min(Math.max(current, 0), last)
  const column = at % columns
  const rowStart = at - column
  switch (key) {
    case 'ArrowRight':
      return Math.min(at + 1, last)
    case 'ArrowLeft':
      return Math.max(at - 1, 0)
    case 'ArrowDown':
      return at + columns <= last ? at + columns : at
    case 'ArrowUp':
      return at - columns >= 0 ? at - columns : at
    case 'PageDown': {
      // Down a screen in the same column; past the end, the lowest cell of that column.
      const target = at + columns * Math.max(1, pageRows)
      return target <= last ? target : column + Math.floor((last - column) / columns) * columns
    }
    case 'PageUp': {
      const target = at - columns * Math.max(1, pageRows)
      return target >= 0 ? target : column
    }
    case 'Home':
      return ctrl ? 0 : rowStart
    case 'End':
      return ctrl ? last : Math.min(rowStart + columns - 1, last)
    default:
      return null
  }
}
