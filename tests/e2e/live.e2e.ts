/**
 * Live history across processes: the UI open in browser mode while `dgmw train` runs in another
 * process on the same data directory. The run appears in the runs list, its progress and curves
 * move, and it ends as completed, all without a reload. Needs Fashion-MNIST and Chromium.
 */
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openFashionApp, screenshotDir, type Served } from './browserMode'
import { writeFashionSubset } from '../helpers/fashionSubset'
import type { tempDir } from '../helpers/tempDir'

const bin = join(__dirname, '../../bin/dgmw.cjs')

const shotAt = async (page: Page, name: string): Promise<void> => {
  for (const [width, height] of [
    [1440, 900],
    [1280, 720]
  ]) {
    await page.setViewportSize({ width, height })
    await page.screenshot({ path: join(screenshotDir, `${name}-${width}x${height}.png`) })
  }
}

describe('a run started from the CLI beside the open UI', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served
  let page: Page
  let home: string

  beforeAll(async () => {
    ;({ browser, dir, served, page, home } = await openFashionApp({
      prefix: 'dgmw-e2e-live-',
      perClass: 200
    }))
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir?.cleanup()
  })

  it('appears in the runs list, shows live progress and ends completed without a reload', async () => {
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.click('[data-section="runs"]')
    const rows = page.locator('[data-table="runs"] [data-run]')
    expect(await rows.count()).toBe(0)
    // Set once on this page: a reload would lose it.
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true))

    const child = spawn(
      process.execPath,
      [
        bin,
        'train',
        '--dataset',
        'clothes',
        '--name',
        'from the terminal',
        '--epochs',
        '5',
        '--data-dir',
        home
      ],
      {
        env: { ...process.env, DGMW_BACKEND: '' },
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    child.stdout.resume()
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))

    const row = rows.filter({ hasText: 'from the terminal' })
    await row.waitFor({ timeout: 30_000 })
    await row.locator('.badge', { hasText: 'running' }).waitFor({ timeout: 30_000 })
    // Its epochs column counts up (0/5 from its first progress, then each epoch's end).
    const epochsDone = async (): Promise<number> => {
      const cells = await row.locator('[role="cell"]').allTextContents()
      const epochs = cells.map((c) => /^\s*(\d+)\/5\s*$/.exec(c)).find(Boolean)
      return epochs ? Number(epochs[1]) : -1
    }
    await expect.poll(epochsDone, { timeout: 30_000 }).toBeGreaterThanOrEqual(0)
    await expect.poll(epochsDone, { timeout: 30_000 }).toBeGreaterThanOrEqual(1)
    await shotAt(page, 'live-cli-run-list')

    await row.click()
    const progress = page.locator('[data-run-progress]')
    await progress.waitFor({ timeout: 15_000 })
    const step = async (): Promise<number> => Number(await progress.getAttribute('data-step'))
    const firstStep = await step()
    await expect.poll(step, { timeout: 15_000 }).toBeGreaterThan(firstStep)
    expect(await progress.textContent()).toMatch(/left/) // the ETA, as for a local run
    const loss = page.locator('[data-chart="Training loss per step"]')
    const points = async (): Promise<number> => Number(await loss.getAttribute('data-points'))
    const pointsBefore = await points()
    await expect.poll(points, { timeout: 15_000 }).toBeGreaterThan(pointsBefore)
    // Epoch ends relayed too: the per-epoch charts have points (loaded, then appended live).
    await page
      .locator('[data-chart="Accuracy per epoch"][data-points]:not([data-points="0"])')
      .waitFor({ timeout: 30_000 })
    expect(await page.title()).toMatch(/^\d+% · epoch \d\/5 · /)
    await shotAt(page, 'live-cli-run-tab')
    // It is controlled where it runs: this window says so and offers no Pause or Stop.
    expect(await page.locator('[data-trained-elsewhere]').textContent()).toMatch(
      /another process.*Ctrl-C/s
    )
    expect(await page.locator('[data-run-actions] button', { hasText: /Pause|Stop/ }).count()).toBe(
      0
    )

    expect(await exited, stderr).toBe(0)
    const endedAt = Date.now()
    await page.locator('[data-run-tab][data-status="completed"]').waitFor({ timeout: 10_000 })
    expect(Date.now() - endedAt).toBeLessThan(8000)
    await page.locator('[data-evaluation]').waitFor()
    expect(await progress.count()).toBe(0)
    await page.click('[data-section="runs"]')
    await row.locator('.badge', { hasText: 'completed' }).waitFor({ timeout: 5000 })
    expect(await epochsDone()).toBe(5)
    expect(
      await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)
    ).toBe(true)
  }, 240_000)

  it('lists a dataset another process imported, without a reload', async () => {
    const folder = join(dir.path, 'more clothes')
    await writeFashionSubset(folder, 3)
    await page.click('[data-section="datasets"]')
    const items = page.locator('[data-dataset-item]')
    await items.first().waitFor()
    expect(await items.count()).toBe(1)
    const imported = spawnSync(
      process.execPath,
      [bin, 'import', folder, '--name', 'imported elsewhere', '--data-dir', home],
      { encoding: 'utf8' }
    )
    expect(imported.status, imported.stderr).toBe(0)
    await items.filter({ hasText: 'imported elsewhere' }).waitFor({ timeout: 5000 })
    expect(
      await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)
    ).toBe(true)
  }, 60_000)
})
