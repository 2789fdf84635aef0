import { adapterName } from '../../../../preload/backendLabel'
import type { EngineStatus } from '../../../../preload/contract'

/** Short label for the status bar's engine item. */
export function engineLabel(engine: EngineStatus | null): string {
  if (!engine || engine.state === 'starting') return 'Engine: starting…'
  if (engine.state === 'failed') return 'Engine: failed'
  const how = engine.forcedBy === 'setting' ? ' (chosen)' : engine.forced ? ' (forced)' : ''
  // On a GPU the adapter is what matters; on the CPU rungs, how many threads they use.
  const where =
    engine.active === 'webgpu' && engine.gpu
      ? `GPU: ${adapterName(engine.gpu)}`
      : `${engine.threads} thread${engine.threads === 1 ? '' : 's'}`
  return `Backend: ${engine.active}${how} · ${where}`
}

/** Shortens a long path from the left so its end (the folder name) stays visible. */
export function shortPath(path: string, max = 48): string {
  return path.length <= max ? path : '…' + path.slice(path.length - max + 1)
}
