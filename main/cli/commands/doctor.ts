import { adapterDetails } from '../../../preload/backendLabel'
import type { DoctorReport } from '../../../preload/contract'
import { printJson } from '../output'
import type { CommandContext } from '../context'
import { withClient } from '../workbenchClient'

export const doctorHelp = `dgmw doctor [--backend B] [--json]
  Report Node, Electron, CPU, GPU/CUDA libraries, the data directory, and which tensor backend the
  engine picks, with the reason each higher one did not load.`

const megabytes = (bytes: number): string =>
  bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`

function describe(report: DoctorReport): string {
  const lines = [
    `DGM Workbench ${report.app.version} on ${report.app.platform}-${report.app.arch}, Node ${report.app.node}`,
    `Electron: ${report.electron.version ?? 'not installed'} — ${report.electron.usable ? 'desktop window available' : `no desktop window: ${report.electron.reason}`}`,
    `CPU: ${report.cpu.model}, ${report.cpu.threads} threads, ${report.cpu.memoryGiB} GiB`,
    `GPU: ${report.gpu.nvidiaSmi ?? 'no NVIDIA driver found (nvidia-smi not available)'}`
  ]
  for (const lib of report.gpu.cudaLibraries)
    lines.push(`  ${lib.name}: ${lib.path ?? 'not found'}`)
  const engine = report.engine
  lines.push(
    engine.state === 'ready'
      ? `Tensor backend: ${engine.active}${engine.forced ? ' (forced)' : ''}, ${engine.threads} thread${engine.threads === 1 ? '' : 's'}`
      : `Tensor backend: none — ${engine.error}`
  )
  for (const rung of engine.rungs) {
    const mark = rung.name === engine.active ? '*' : rung.loaded ? '+' : '-'
    lines.push(
      `  ${mark} ${rung.name.padEnd(15)} ${rung.package}${rung.version ? '@' + rung.version : ''}${rung.reason ? ` — ${rung.reason}` : ''}`
    )
    if (rung.adapter) lines.push(`      adapter: ${adapterDetails(rung.adapter)}`)
  }
  lines.push(
    `Data directory: ${report.dataDir.path} (${report.dataDir.writable ? 'writable' : 'NOT writable'})`
  )
  const parts = (report.dataDir.databaseFiles ?? [])
    .map(
      (f) =>
        `${f.path.slice(report.dataDir.databasePath.length) || 'database'} ${megabytes(f.bytes)}`
    )
    .join(', ')
  lines.push(
    `Run database: ${report.dataDir.databasePath} (${megabytes(report.dataDir.databaseBytes)} on disk${parts ? `: ${parts}` : ''})`
  )
  return lines.join('\n')
}

export function doctorCommand(ctx: CommandContext): Promise<number> {
  // The same engine a run gets, so the answer matches what training would use.
  return withClient(ctx, async (client) => {
    const report = await client.request('doctor/report')
    if (ctx.json) printJson(report)
    else console.log(describe(report))
    return report.engine.state === 'ready' ? 0 : 1
  })
}
