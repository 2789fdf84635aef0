import { resolve } from 'node:path'
import { exportFormats, type ExportFormat } from '../../../preload/contract'
import { UserError } from '../../platform/userError'
import type { CommandContext } from '../context'
import { note, printJson } from '../output'
import { withEngine } from '../workbenchClient'

export const exportHelp = `dgmw export <run> --format tfjs|onnx --out DIR [--force] [--include-paths] [--json]
  Write the run's model to the folder DIR: TF.js Layers (model.json + weights, opens in
  tf.loadLayersModel) or ONNX (opset 13), with labels.txt, metadata.json (input size,
  preprocessing, classes, config, metrics) and a model card README.md. Each file is first opened
  by another runtime (tfjs-layers' loader, onnxruntime-node) and must give the workbench's outputs
  on real test images; otherwise nothing is written. An existing DIR is replaced only with --force.
  The folder names no folder of this machine (a fine-tuned run's init folder keeps only its own
  name) unless --include-paths.`

export async function exportCommand(ctx: CommandContext): Promise<number> {
  const [runText] = ctx.positionals
  if (!runText || !/^\d+$/.test(runText))
    throw new UserError('Say which run: `dgmw export <run> --format tfjs|onnx --out DIR`.')
  const format = (ctx.values.format as string | undefined) ?? 'tfjs'
  if (!(exportFormats as readonly string[]).includes(format))
    throw new UserError(`--format is tfjs or onnx, not "${format}".`)
  const out = ctx.values.out as string | undefined
  if (!out) throw new UserError('Say where to write the export: --out <folder>.')
  return withEngine(ctx, async (client) => {
    const report = await client.request('runs/export', {
      id: Number(runText),
      format: format as ExportFormat,
      out: resolve(out),
      force: ctx.values.force === true,
      includePaths: ctx.values['include-paths'] === true
    })
    if (ctx.json) printJson(report)
    else {
      note(
        `${report.replaced ? 'Replaced' : 'Wrote'} ${report.path} (${report.files.length} files, ${(report.bytes / 1e6).toFixed(2)} MB)`
      )
      for (const n of report.networks) {
        const v = n.verification
        const top1 = v.sameTop1 === undefined ? '' : `, same top-1 ${v.sameTop1}/${v.count}`
        note(
          `  ${n.file} (${n.role}): ${v.runtime} on ${v.count} ${v.inputs}: max |Δ| ${v.maxDifference.toExponential(2)} ≤ ${v.tolerance}${top1}`
        )
      }
    }
    return 0
  })
}
