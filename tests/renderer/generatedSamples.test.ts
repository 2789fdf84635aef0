import { describe, expect, it } from 'vitest'
import { balancedColumns, defaultSavePath, saveTarget } from '../../renderer/src/generatedSamples'

describe('saving generated samples', () => {
  it('suggests a folder in the data directory, in its own path style', () => {
    expect(defaultSavePath('/home/ada/.dgmw/', 7)).toBe('/home/ada/.dgmw/exports/run-7-samples')
    expect(defaultSavePath('C:\\Users\\ada\\dgmw', 7)).toBe(
      'C:\\Users\\ada\\dgmw\\exports\\run-7-samples'
    )
  })

  it('makes a PNG grid end in .png and an ImageFolder not', () => {
    expect(saveTarget('/tmp/grid', 'png')).toEqual({ out: '/tmp/grid.png' })
    expect(saveTarget(' /tmp/grid.PNG ', 'png')).toEqual({ out: '/tmp/grid.PNG' })
    expect(saveTarget('/tmp/folder/', 'folder')).toEqual({ out: '/tmp/folder' })
    expect(saveTarget('/tmp/grid.png', 'folder')).toHaveProperty('error')
    expect(saveTarget('  ', 'png')).toEqual({ error: 'Enter a path to save to.' })
  })

  it('lays tiles out in even rows', () => {
    expect(balancedColumns(16, 12)).toBe(8)
    expect(balancedColumns(64, 12)).toBe(11)
    expect(balancedColumns(5, 12)).toBe(5)
    expect(balancedColumns(0, 12)).toBe(1)
  })
})
