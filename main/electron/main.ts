/**
 * The Electron host: the only module that imports `electron`. It creates the hardened window and
 * carries the contract over IPC to the same headless workbench the CLI and browser mode use.
 */
import { app, BrowserWindow, dialog, ipcMain, session, type WebFrameMain } from 'electron'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ipcChannels, type Envelope, type EventOf } from '../../preload/contract'
import { parseBackendName } from '../platform/backendName'
import { createWorkbench } from '../host/workbench'
import type { Workbench } from '../host/workbenchServices'
import { appName, resolveDataDir } from '../platform/dataDir'
import { electronSqliteBinding } from '../platform/electronSqlite'

app.setName(appName)
const rendererUrl = process.env.ELECTRON_RENDERER_URL
const rendererFile = join(__dirname, '../renderer/index.html')

/** Only our own page may call the contract: the dev server in development, the bundled file otherwise. */
function isTrustedSender(frame: WebFrameMain | null): boolean {
  if (!frame) return false
  const url = new URL(frame.url)
  if (rendererUrl) return url.origin === new URL(rendererUrl).origin
  return (
    url.protocol === 'file:' && decodeURIComponent(url.pathname).endsWith('/renderer/index.html')
  )
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: appName,
    icon: join(app.getAppPath(), 'resources/icon.png'),
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false
    }
  })
  window.once('ready-to-show', () => window.show())
  if (rendererUrl) void window.loadURL(rendererUrl)
  else void window.loadFile(rendererFile)
  return window
}

function startWorkbench(): Workbench {
  const { values } = parseArgs({
    args: process.argv.slice(1),
    options: { 'data-dir': { type: 'string' } },
    strict: false,
    allowPositionals: true
  })
  const binding = electronSqliteBinding(app.getAppPath())
  return createWorkbench({
    chooseFolder: async () => {
      const window = BrowserWindow.getFocusedWindow()
      const options = { title: 'Import an image folder', properties: ['openDirectory' as const] }
      const result = window
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options)
      return result.canceled ? null : result.filePaths[0]
    },
    chooseSavePath: async (defaultName) => {
      const window = BrowserWindow.getFocusedWindow()
      const options = {
        title: 'Export the model to a new folder',
        defaultPath: defaultName,
        buttonLabel: 'Export',
        properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const]
      }
      const result = window
        ? await dialog.showSaveDialog(window, options)
        : await dialog.showSaveDialog(options)
      return result.canceled || !result.filePath ? null : result.filePath
    },
    dataDir: resolveDataDir(values['data-dir'] as string | undefined),
    backend: parseBackendName(process.env.DGMW_BACKEND),
    sqliteBinding: existsSync(binding) ? binding : undefined,
    watchOtherProcesses: true
  })
}

/**
 * The active run's progress on the taskbar / dock icon (the window title is the renderer's); the
 * macOS dock badge shows its percentage. Cleared when the run ends.
 */
function showRunProgress(...[name, payload]: EventOf): void {
  let fraction = -1
  if (name === 'train/progress')
    fraction = payload.totalSteps > 0 ? payload.step / payload.totalSteps : -1
  else if (name !== 'run/status' || payload.status === 'running') return
  for (const window of BrowserWindow.getAllWindows()) window.setProgressBar(fraction)
  if (process.platform === 'darwin')
    app.dock?.setBadge(fraction >= 0 ? `${Math.floor(fraction * 100)}%` : '')
}

app.whenReady().then(() => {
  let workbench: Workbench
  try {
    workbench = startWorkbench()
  } catch (error) {
    dialog.showErrorBox(
      `${appName} cannot start`,
      `${(error as Error).message}\n\nIf this mentions NODE_MODULE_VERSION, run \`npm run rebuild:electron\`.`
    )
    app.exit(1)
    return
  }
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(permission === 'notifications')
  )
  ipcMain.handle(
    ipcChannels.request,
    (event, name: unknown, args: unknown): Promise<Envelope> | Envelope => {
      if (!isTrustedSender(event.senderFrame)) {
        return {
          ok: false,
          error: {
            code: 'failed',
            message: 'Request refused: it did not come from the app window.'
          }
        }
      }
      return workbench.dispatch(name, args)
    }
  )
  workbench.bus.subscribe((...event) => {
    for (const window of BrowserWindow.getAllWindows())
      window.webContents.send(ipcChannels.event, ...event)
    showRunProgress(...event)
  })
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
  app.on('will-quit', () => void workbench.close())
})

// No remote content, for every web contents the app ever has (Electron's security checklist,
// items 11-14): no <webview>, no navigation away from the app's page, no new windows.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.on('will-navigate', (event) => event.preventDefault())
  contents.on('will-redirect', (event) => event.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
