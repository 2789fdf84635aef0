import type { BridgeApi, RequestName } from '../../../preload/contract'
import type { Transport } from '../../../preload/client'

/** The desktop app's transport: the functions the preload put on `window.dgmw`. */
export function createIpcTransport(bridge: BridgeApi): Transport {
  return {
    kind: 'ipc',
    request: (name: RequestName, args: unknown) =>
      (bridge[name] as (a: unknown) => ReturnType<BridgeApi[RequestName]>)(args),
    subscribe: (listener) => bridge.onEvent(listener)
  }
}
