import { describe, expect, it } from 'vitest'
import { recipeNames } from '../../preload/contract'
import { groupOf, recipeGroups, recipeLines } from '../../renderer/src/recipeGroups'

describe('the recipe picker groups', () => {
  it('hold every recipe exactly once, under what the researcher wants to do', () => {
    const listed = recipeGroups.flatMap((g) => g.recipes)
    expect([...listed].sort()).toEqual([...recipeNames].sort())
    expect(new Set(listed).size).toBe(listed.length)
    expect(recipeGroups.map((g) => g.label)).toEqual([
      'Classify',
      'Classify with few labels',
      'Generate images',
      'Measure a generator'
    ])
    expect(groupOf('sgan').label).toBe('Classify with few labels')
    expect(groupOf('dcgan').label).toBe('Generate images')
    expect(groupOf('cas').label).toBe('Measure a generator')
  })

  it('give each recipe one short line', () => {
    for (const r of recipeNames) {
      expect(recipeLines[r].length).toBeGreaterThan(10)
      expect(recipeLines[r].length).toBeLessThanOrEqual(60)
      expect(recipeLines[r]).not.toContain('\n')
    }
  })
})
