/**
 * Class names come from a researcher's folder names; ECharts renders tooltip strings as HTML. A
 * class named like markup must reach the tooltip as text, in every tooltip the app builds.
 */
import { describe, expect, it } from 'vitest'
import { cellTooltip, confusionCells } from '../../renderer/src/confusion'
import { escapeHtml } from '../../renderer/src/escapeHtml'
import type { BudgetPoint } from '../../renderer/src/labelBudget'
import { pointTooltip } from '../../renderer/src/labelBudgetChart'

const hostile = '<img src=x onerror="alert(1)">'

/** The element tags an HTML string opens (no DOM in node; a tag is `<` and a letter). */
const elementTags = (html: string): string[] =>
  [...html.matchAll(/<([a-z]+)[\s/>]/gi)].map((m) => m[1])

describe('HTML in user-given names', () => {
  it('escapes the five characters that open markup or attributes', () => {
    expect(escapeHtml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&#39;')
    expect(escapeHtml('T-shirt/top')).toBe('T-shirt/top')
  })

  it('shows a class named like an <img> tag as text in the confusion tooltip', () => {
    const cells = confusionCells([
      [1, 2],
      [0, 3]
    ])
    const tooltip = cellTooltip(cells[1], [hostile, 'b<script>'])
    expect(elementTags(tooltip)).toEqual([])
    expect(tooltip).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;')
  })

  it('keeps only its own <b> and <br/> in the label-budget tooltip', () => {
    // Recipes are the app's own names today; the tooltip escapes them anyway, should that change.
    const html = pointTooltip({
      recipe: hostile as BudgetPoint['recipe'],
      budget: 10,
      x: 10,
      mean: 80,
      std: 1,
      done: 2,
      total: 2
    })
    expect(elementTags(html)).toEqual(['b', 'br'])
  })
})
