/**
 * The export's model card (README.md, after Mitchell et al., "Model Cards for Model Reporting",
 * 2019): what the model is, what it was trained on, how to feed it, how well it did, and how the
 * export was checked; plus the test confusion matrix as a PNG (drawn as SVG, rasterised by libvips).
 */
import sharp from 'sharp'
import type { Evaluation } from '../../preload/contract'
import type { ExportMetadata } from '../engine/export/exportMetadata'
import { markdownText } from './plainText'

const percent = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`

const metricText = (name: string, v: number): string =>
  /accuracy|rate/i.test(name) ? percent(v) : Number.isInteger(v) ? String(v) : v.toPrecision(4)

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)

export function modelCard(metadata: ExportMetadata, evaluation: Evaluation | null): string {
  const { input, preprocessing } = metadata
  const lines = [
    `# ${markdownText(metadata.name)}`,
    '',
    `A **${metadata.recipe}** model exported by DGM Workbench from run ${metadata.runId} as ` +
      `**${metadata.modelFormat === 'tfjs' ? 'TF.js Layers' : 'ONNX (opset 13)'}**, on ${metadata.exportedAt}.`,
    '',
    '## Data',
    '',
    `- Dataset: ${metadata.dataset.name === null ? 'deleted' : markdownText(metadata.dataset.name)} (${metadata.labels.length} classes: ${metadata.labels.map(markdownText).join(', ')})`,
    `- Input: ${input.height}×${input.width}×${input.channels}, ${input.layout}, float32`,
    `- Preprocessing: ${preprocessing.decode}; then ${preprocessing.formula}`,
    '',
    '## Networks',
    '',
    '| role | file | input | output |',
    '| --- | --- | --- | --- |',
    ...metadata.networks.map((n) => `| ${n.role} | \`${n.file}\` | ${n.input} | ${n.output} |`),
    '',
    '## Results',
    '',
    ...Object.entries(metadata.metrics)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `- ${k}: ${metricText(k, v!)}`)
  ]
  if (evaluation) {
    lines.push(
      '',
      `Test split (${evaluation.count} images): accuracy ${percent(evaluation.accuracy)}, macro F1 ${percent(evaluation.macro.f1)}.`,
      '',
      '| class | precision | recall | F1 | support |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...evaluation.perClass.map(
        (c) =>
          `| ${markdownText(c.label)} | ${percent(c.precision)} | ${percent(c.recall)} | ${percent(c.f1)} | ${c.support} |`
      ),
      '',
      '![Confusion matrix on the test split (rows: true class, columns: predicted)](confusion.png)'
    )
  }
  if (metadata.networks.some((n) => n.role === 'generator' || n.role === 'decoder'))
    lines.push('', '## Samples', '', '![Samples from fixed seeded codes](samples.png)')
  lines.push(
    '',
    '## How the export was checked',
    '',
    'Each file was opened by a runtime the workbench did not write and run on check inputs; its ' +
      "outputs were compared with the workbench's own:",
    '',
    '| file | runtime | inputs | max abs difference | tolerance | same top-1 |',
    '| --- | --- | --- | ---: | ---: | ---: |',
    ...metadata.networks.map((n) => {
      const v = n.verification
      const top1 = v.sameTop1 === undefined ? '—' : `${v.sameTop1}/${v.count}`
      return `| \`${n.file}\` | ${v.runtime} | ${v.count} ${v.inputs} | ${v.maxDifference.toExponential(2)} | ${v.tolerance} | ${top1} |`
    }),
    '',
    '## Use',
    '',
    metadata.modelFormat === 'tfjs'
      ? "```js\nconst model = await tf.loadLayersModel('…/model.json')\nconst probabilities = model.predict(x) // x: [N, H, W, C] float32, preprocessed as above\n```"
      : "```python\nimport onnxruntime as ort\nsession = ort.InferenceSession('model.onnx')\nout = session.run(None, {session.get_inputs()[0].name: x})  # x: [N, H, W, C] float32, preprocessed as above\n```",
    '',
    `Class names are in \`labels.txt\` (one per line, in output order); everything above is also in \`metadata.json\`.`,
    '',
    `Trained with ${metadata.backend ?? 'an unknown backend'}, code ${metadata.codeVersion ?? 'unknown'}. Full config: \`metadata.json\` → \`config\`.`,
    ''
  )
  return lines.join('\n')
}

/** The test confusion matrix, row-normalised colours with counts, as PNG bytes. */
export async function confusionPng(evaluation: Evaluation): Promise<Buffer> {
  const k = evaluation.labels.length
  const cell = k > 20 ? 18 : 40
  const labelWidth = 120
  const top = 110
  const size = k * cell
  const width = labelWidth + size + 60
  const height = top + size + 40
  const cells: string[] = []
  evaluation.confusion.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1
    row.forEach((count, p) => {
      const share = count / total
      // White → deep blue by the share of the true class predicted as p.
      const shade = Math.round(255 - share * 200)
      const x = labelWidth + p * cell
      const y = top + t * cell
      cells.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},255)" stroke="#ddd"/>`
      )
      if (cell >= 30 && count > 0)
        cells.push(
          `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" font-size="11" text-anchor="middle" fill="${share > 0.5 ? '#fff' : '#222'}">${count}</text>`
        )
    })
  })
  const labels = evaluation.labels.map((label, i) => {
    const name = escapeXml(label.length > 16 ? `${label.slice(0, 15)}…` : label)
    const y = top + i * cell + cell / 2 + 4
    const x = labelWidth + i * cell + cell / 2
    return (
      `<text x="${labelWidth - 6}" y="${y}" font-size="11" text-anchor="end">${name}</text>` +
      `<text transform="translate(${x},${top - 6}) rotate(-60)" font-size="11">${name}</text>`
    )
  })
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="#fff"/>${cells.join('')}${labels.join('')}` +
    `<text x="${labelWidth + size / 2}" y="${top + size + 26}" font-size="12" text-anchor="middle">predicted · accuracy ${percent(evaluation.accuracy)}</text>` +
    `</svg>`
  return sharp(Buffer.from(svg)).png().toBuffer()
}
