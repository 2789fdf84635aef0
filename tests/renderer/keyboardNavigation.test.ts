import { describe, expect, it } from 'vitest'
import { gridIndexAfterKey, tabIndexAfterKey } from '../../renderer/src/keyboardNavigation'

describe('tab strip keys (roving tabindex)', () => {
  it('moves right and left, wrapping at the ends', () => {
    expect(tabIndexAfterKey('ArrowRight', 0, 3)).toBe(1)
    expect(tabIndexAfterKey('ArrowRight', 2, 3)).toBe(0)
    expect(tabIndexAfterKey('ArrowLeft', 0, 3)).toBe(2)
    expect(tabIndexAfterKey('ArrowLeft', 2, 3)).toBe(1)
  })
  it('jumps to the first and last tab with Home and End', () => {
    expect(tabIndexAfterKey('Home', 2, 5)).toBe(0)
    expect(tabIndexAfterKey('End', 0, 5)).toBe(4)
  })
  it('ignores other keys and an empty strip', () => {
    expect(tabIndexAfterKey('ArrowDown', 1, 3)).toBeNull()
    expect(tabIndexAfterKey('a', 1, 3)).toBeNull()
    expect(tabIndexAfterKey('ArrowRight', 0, 0)).toBeNull()
  })
})

describe('gallery grid keys', () => {
  // 23 cells in rows of 5: the last row holds 20, 21, 22.
  const shape = { count: 23, columns: 5, pageRows: 2 }
  const move = (key: string, from: number, ctrl = false): number | null =>
    gridIndexAfterKey(key, from, shape, ctrl)

  it('moves by one cell left and right, stopping at the first and last cell', () => {
    expect(move('ArrowRight', 4)).toBe(5) // reading order continues on the next row
    expect(move('ArrowLeft', 5)).toBe(4)
    expect(move('ArrowLeft', 0)).toBe(0)
    expect(move('ArrowRight', 22)).toBe(22)
  })
  it('moves by a row up and down, staying put where no cell is below or above', () => {
    expect(move('ArrowDown', 7)).toBe(12)
    expect(move('ArrowUp', 12)).toBe(7)
    expect(move('ArrowUp', 3)).toBe(3)
    expect(move('ArrowDown', 17)).toBe(22)
    expect(move('ArrowDown', 18)).toBe(18) // the short last row has no cell under column 3
  })
  it('goes to the ends of the row with Home/End and of the grid with Ctrl', () => {
    expect(move('Home', 13)).toBe(10)
    expect(move('End', 11)).toBe(14)
    expect(move('End', 21)).toBe(22) // the short last row ends early
    expect(move('Home', 13, true)).toBe(0)
    expect(move('End', 3, true)).toBe(22)
  })
  it('pages by the rows on screen in the same column, to the last or first row at the ends', () => {
    expect(move('PageDown', 1)).toBe(11)
    expect(move('PageDown', 11)).toBe(21)
    expect(move('PageDown', 13)).toBe(18) // column 3's lowest cell
    expect(move('PageUp', 21)).toBe(11)
    expect(move('PageUp', 8)).toBe(3)
  })
  it('works on 70,000 cells and on a single column', () => {
    expect(gridIndexAfterKey('End', 0, { count: 70_000, columns: 12, pageRows: 5 }, true)).toBe(
      69_999
    )
    expect(gridIndexAfterKey('PageDown', 0, { count: 70_000, columns: 12, pageRows: 5 })).toBe(60)
    expect(gridIndexAfterKey('ArrowDown', 2, { count: 4, columns: 1, pageRows: 3 })).toBe(3)
  })
  it('ignores other keys and an empty gallery', () => {
    expect(move('Tab', 3)).toBeNull()
    expect(gridIndexAfterKey('ArrowRight', 0, { count: 0, columns: 5, pageRows: 2 })).toBeNull()
  })
})
