/**
 * The preload bridge. It exposes one function per contract request and a single event hook on
 * `window.dgmw`; `ipcRenderer` itself never reaches the page. Runs sandboxed, so it is bundled.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import {
  ipcChannels,
  requestNames,
  type AnyEventListener,
  type BridgeApi,
  type EventOf
} from './contract'

const api: Record<string, unknown> = {}
for (const name of requestNames) {
  api[name] = (args: unknown) => ipcRenderer.invoke(ipcChannels.request, name, args)
}
api.onEvent = (listener: AnyEventListener) => {
  // Main sends (name, payload) of one contract event on this channel, and nothing else.
  const forward = (_event: IpcRendererEvent, ...event: EventOf): void => listener(...event)
  ipcRenderer.on(ipcChannels.event, forward)
  return () => ipcRenderer.off(ipcChannels.event, forward)
}

api.pathForFile = (file: unknown) =>
  webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0])

contextBridge.exposeInMainWorld('dgmw', api as BridgeApi)
