import type { EventName } from '../../preload/contract'
import type { Transport } from '../../preload/client'
import type { Workbench } from './workbenchServices'

/**
 * A transport that calls the dispatcher in-process, with a structured-clone hop like IPC, so the
 * contract is tested exactly as the renderer uses it, minus the wire.
 */
export function createMemoryTransport(workbench: Pick<Workbench, 'dispatch' | 'bus'>): Transport {
  return {
    kind: 'memory',
    request: async (name, args) =>
      structuredClone(await workbench.dispatch(name, structuredClone(args))),
    subscribe: (listener: (name: EventName, payload: unknown) => void) =>
      workbench.bus.subscribe((name, payload) => listener(name, structuredClone(payload)))
  }
}
