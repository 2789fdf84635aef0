import { join } from 'node:path'
import { adapterDetails } from '../../../preload/backendLabel'
import type { DoctorReport } from '../../../preload/contract'
import { startEngine } from '../../engine/engineHost'
import { databaseFileName, ensureDataDir } from '../../platform/dataDir'
import { doctorReport } from '../../platform/doctor'
import { printJson } from '../output'
import type { CommandContext } from '../context'

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

export async function doctorCommand(ctx: CommandContext): Promise<number> {
  const dataDir = ensureDataDir(ctx.dataDir)
  // The same engine worker the app uses, so the answer matches what a run would get.
  const engine = startEngine({ forced: ctx.backend })
  const status = await engine.ready()
  await engine.close()
  const report = doctorReport(status, dataDir, join(dataDir, databaseFileName))
  if (ctx.json) printJson(report)
  else console.log(describe(report))
  return status.state === 'ready' ? 0 : 1
}
