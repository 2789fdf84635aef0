/**
 * The preload bridge. It exposes one function per contract request and a single event hook on
 * `window.dgmw`; `ipcRenderer` itself never reaches the page. Runs sandboxed, so it is bundled.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { ipcChannels, requestNames, type BridgeApi, type EventName } from './contract'

const api: Record<string, unknown> = {}
for (const name of requestNames) {
  api[name] = (args: unknown) => ipcRenderer.invoke(ipcChannels.request, name, args)
}
api.onEvent = (listener: (name: EventName, payload: unknown) => void) => {
  const forward = (_event: IpcRendererEvent, name: EventName, payload: unknown): void =>
    listener(name, payload)
  ipcRenderer.on(ipcChannels.event, forward)
  return () => ipcRenderer.off(ipcChannels.event, forward)
}

api.pathForFile = (file: unknown) =>
  webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0])

contextBridge.exposeInMainWorld('dgmw', api as BridgeApi)
