import { join } from 'node:path'
import { createWorkbench } from '../../host/workbench'
import { startBrowserServer } from '../../server/browserServer'
import { UserError } from '../../platform/userError'
import { note, printJson } from '../output'
import type { CommandContext } from '../context'

export const serveHelp = `dgmw serve [--port P] [--json]
  Serve the workbench UI and its contract to a browser, on 127.0.0.1 only, behind a random token.
  Default port 8765 (the next free one if taken). From another machine, tunnel it:
  ssh -L 8765:127.0.0.1:8765 gpu-box, then open the printed URL locally.`

export const defaultPort = 8765

/** Starts browser mode and resolves when it has been stopped (Ctrl-C or SIGTERM). */
export async function serveCommand(ctx: CommandContext): Promise<number> {
  const portFlag = ctx.values.port as string | undefined
  const port = portFlag === undefined ? defaultPort : Number(portFlag)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError(`--port must be a whole number from 0 to 65535, not "${portFlag}".`)
  }
  const workbench = createWorkbench({
    dataDir: ctx.dataDir,
    backend: ctx.backend,
    watchOtherProcesses: true
  })
  let server
  try {
    server = await startBrowserServer({
      workbench,
      rendererDir: join(__dirname, '../renderer'),
      port,
      portFallback: portFlag === undefined
    })
  } catch (error) {
    await workbench.close()
    throw error
  }
  if (ctx.json)
    printJson({
      url: server.url,
      port: server.port,
      token: server.token,
      dataDir: workbench.dataDir
    })
  else {
    console.log(`DGM Workbench is serving at ${server.url}`)
    note(`Data directory: ${workbench.dataDir}. Press Ctrl-C to stop.`)
  }
  const status = await workbench.engine.ready()
  if (!ctx.json)
    note(
      status.state === 'ready'
        ? `Tensor backend: ${status.active}`
        : `Tensor backend failed: ${status.error}`
    )
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await server.close()
  await workbench.close()
  return 0
}
