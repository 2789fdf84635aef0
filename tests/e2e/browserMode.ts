import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'

const bin = join(__dirname, '../../bin/dgmw.cjs')
export const screenshotDir = join(__dirname, 'screenshots')

export interface Served {
  url: string
  port: number
  process: ChildProcess
  stop(): Promise<void>
}

/** Starts `dgmw serve --json` on a free port and resolves with the URL it prints. */
export function serve(dataDir: string): Promise<Served> {
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--port', '0', '--json', '--data-dir', dataDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DGMW_BACKEND: '' }
    }
  )
  let stdout = ''
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`dgmw serve exited with ${code}: ${stderr}`)))
    child.stdout!.on('data', (chunk) => {
      stdout += chunk
      let doc: { url: string; port: number }
      try {
        doc = JSON.parse(stdout)
      } catch {
        return // the document is not complete yet
      }
      resolve({
        ...doc,
        process: child,
        stop: () =>
          new Promise((done) => {
            child.removeAllListeners('exit')
            child.once('exit', () => done())
            child.kill('SIGTERM')
          })
      })
    })
  })
}

/** Debian's Chromium, headless, with the flags this offline machine needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run'
    ]
  })
}
