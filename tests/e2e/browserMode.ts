import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { expect } from 'vitest'
import { writeFashionSubset } from '../helpers/fashionSubset'
import { tempDir } from '../helpers/tempDir'

type TempDir = ReturnType<typeof tempDir>

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

/**
 * Debian's Chromium, headless, with the flags this offline machine needs. Without it the test fails
 * (never skips), saying what to install: Playwright cannot download a browser here.
 */
export function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (!existsSync(executablePath))
    throw new Error(
      `${executablePath} is missing: install Debian's chromium (apt-get install chromium) or point CHROMIUM_PATH at a Chromium.`
    )
  return chromium.launch({
    executablePath,
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

/**
 * The app in browser mode on a fresh data folder holding `perClass` real Fashion-MNIST images of
 * every class, imported through the CLI as "clothes": the shared start of the e2e tests.
 */
export async function openFashionApp(options: {
  prefix: string
  perClass: number
  acceptDownloads?: boolean
}): Promise<{ browser: Browser; dir: TempDir; served: Served; page: Page; home: string }> {
  mkdirSync(screenshotDir, { recursive: true })
  const dir = tempDir(options.prefix)
  const folder = join(dir.path, 'clothes')
  await writeFashionSubset(folder, options.perClass)
  const home = join(dir.path, 'home')
  const imported = spawnSync(
    process.execPath,
    [bin, 'import', folder, '--name', 'clothes', '--seed', '1', '--data-dir', home],
    { encoding: 'utf8' }
  )
  expect(imported.status, imported.stderr).toBe(0)
  const browser = await launchChromium()
  const served = await serve(home)
  const page = await browser.newPage({
    viewport: { width: 1366, height: 900 },
    acceptDownloads: options.acceptDownloads ?? false
  })
  await page.goto(served.url)
  return { browser, dir, served, page, home }
}
