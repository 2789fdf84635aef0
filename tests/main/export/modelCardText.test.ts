/**
 * Class, dataset and run names in a model card come from a researcher's folders. Rendered as
 * Markdown (GitHub, an editor's preview), a name must stay text: no HTML, no link, no broken table.
 */
import { describe, expect, it } from 'vitest'
import type { Evaluation } from '../../../preload/contract'
import type { ExportMetadata } from '../../../main/engine/export/exportMetadata'
import { markdownText, oneLine } from '../../../main/export/plainText'
import { modelCard } from '../../../main/export/modelCard'

const hostile = [
  '<img src=x onerror=alert(1)>',
  'a|b',
  'two\nlines',
  '[click](http://evil)',
  '**bold**'
]

const metadata = {
  format: 'dgm-workbench-export',
  version: 1,
  modelFormat: 'tfjs',
  name: '<script>alert(1)</script> run',
  runId: 3,
  recipe: 'classifier',
  labels: hostile,
  input: { height: 8, width: 8, channels: 1, layout: 'NHWC' },
  preprocessing: {
    decode: 'decode',
    fit: 'cover',
    normalisation: 'unit',
    formula: 'x = pixel / 255'
  },
  networks: [
    {
      role: 'classifier',
      file: 'model.json',
      inputShape: [null, 8, 8, 1],
      outputShape: [[null, 5]],
      input: 'x',
      output: 'p',
      verification: {
        runtime: 'tfjs',
        inputs: 'images',
        count: 4,
        maxDifference: 0,
        tolerance: 1e-5
      }
    }
  ],
  preset: 'small-cnn',
  config: {},
  metrics: { testAccuracy: 0.5 },
  dataset: { id: 1, name: 'my <b>data</b>' },
  backend: 'wasm',
  codeVersion: 'abc',
  trainedAt: null,
  exportedAt: '2026-12-04T00:00:00Z'
} satisfies ExportMetadata

const evaluation = {
  count: 5,
  accuracy: 0.5,
  labels: hostile,
  confusion: hostile.map((_, i) => hostile.map((__, j) => (i === j ? 1 : 0))),
  macro: { precision: 0.5, recall: 0.5, f1: 0.5 },
  perClass: hostile.map((label) => ({ label, precision: 1, recall: 1, f1: 1, support: 1 }))
} as unknown as Evaluation

/** Splits a Markdown table row into cells, honouring backslash-escaped pipes as GitHub does. */
const cells = (row: string): string[] => row.split(/(?<!\\)\|/).slice(1, -1)

describe('names in the model card', () => {
  const card = modelCard(metadata, evaluation)

  it('carries no HTML tag and no link from a name', () => {
    expect(card).not.toMatch(/(?<!\\)<\/?(img|script|b)\b/i)
    expect(card).not.toMatch(/(?<!\\)\[click(?<!\\)\]\(/)
    expect(card).toContain('\\<script\\>alert(1)\\</script\\> run')
  })

  it('keeps one table row per class with five cells each', () => {
    const rows = card.split('\n').filter((line) => /^\| .*\| 100\.0% \|/.test(line))
    expect(rows).toHaveLength(hostile.length)
    for (const row of rows) expect(cells(row)).toHaveLength(5)
  })

  it('turns line breaks into spaces and escapes only what starts markup', () => {
    expect(markdownText('two\nlines')).toBe('two lines')
    expect(markdownText('T-shirt/top (v2).png')).toBe('T-shirt/top (v2).png')
    expect(markdownText('a|b')).toBe('a\\|b')
    // labels.txt: one class per line, whatever the folder was called.
    expect(oneLine('two\r\nlines\tand a tab')).toBe('two lines and a tab')
  })
})
