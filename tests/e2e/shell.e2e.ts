import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedHistory } from '../helpers/seedHistory'
import { tempDir } from '../helpers/tempDir'
import { useWebgpuForTests } from '../helpers/webgpuAdapter'
import { launchChromium, screenshotDir, serve, type Served } from './browserMode'

const shot = (page: Page, name: string): Promise<Buffer> =>
  page.screenshot({ path: join(screenshotDir, `${name}.png`) })

describe('the shell in browser mode', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true })
    useWebgpuForTests() // the served app's engine finds the tests' WebGPU adapter
    dir = tempDir('dgmw-e2e-')
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    dir.cleanup()
  })

  describe('with an empty data directory', () => {
    let served: Served
    beforeAll(async () => (served = await serve(join(dir.path, 'empty'))))
    afterAll(() => served.stop())

    it('refuses the page without its token', async () => {
      const page = await browser.newPage()
      const response = await page.goto(`http://127.0.0.1:${served.port}/`)
      expect(response?.status()).toBe(403)
      expect(await page.textContent('body')).toMatch(/needs its token/)
      await page.close()
    })

    it('opens on Datasets with an empty state that says what to do, and the backend in the status bar', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 760 } })
      await page.goto(served.url)
      await expect.poll(() => page.url()).not.toContain('token=')
      await page.getByText('Drop an image folder here').waitFor()

      const doctor = JSON.parse(
        spawnSync(
          process.execPath,
          [
            join(__dirname, '../../bin/dgmw.cjs'),
            'doctor',
            '--json',
            '--data-dir',
            join(dir.path, 'empty')
          ],
          {
            encoding: 'utf8',
            env: { ...process.env, DGMW_BACKEND: '' }
          }
        ).stdout
      )
      const backend = page.locator('[data-status="backend"]')
      await expect.poll(() => backend.textContent()).toContain(`Backend: ${doctor.engine.active}`)
      expect(await page.locator('[data-status="data-dir"]').getAttribute('title')).toBe(
        join(dir.path, 'empty')
      )
      expect(await page.locator('[data-status="connection"]').textContent()).toContain(
        'Browser mode'
      )
      await shot(page, 'datasets-empty-light')

      await page.click('[data-section="runs"]')
      await page.getByText('No runs yet').waitFor()
      await page.click('[data-section="experiments"]')
      await page.getByText('No experiments yet').waitFor()
      await shot(page, 'experiments-empty-light')

      await backend.click()
      const popover = page.getByRole('dialog', { name: 'Tensor backends' })
      await popover.waitFor()
      expect(await popover.locator('.rung').count()).toBe(6) // auto + five rungs
      expect(await popover.textContent()).toMatch(/tfjs-node-gpu.*not installed/)
      await shot(page, 'backend-popover')

      // Choosing a backend restarts the engine with it; the status bar follows.
      await popover.locator('input[value="cpu"]').check()
      await expect.poll(() => backend.textContent()).toContain('Backend: cpu (chosen)')
      await shot(page, 'backend-chosen-cpu')
      // WebGPU on the (software) adapter the tests use: the status bar and panel name the GPU.
      await popover.locator('input[value="webgpu"]').check()
      await expect
        .poll(() => backend.textContent(), { timeout: 30_000 })
        .toMatch(/Backend: webgpu \(chosen\) · GPU: .+/)
      await popover.locator('[data-status="gpu-adapter"]').waitFor()
      expect(await popover.locator('[data-status="gpu-adapter"]').textContent()).toMatch(
        /buffers up to [\d.]+ GiB/
      )
      await shot(page, 'backend-chosen-webgpu')
      // The README's picture of the GPU in use.
      await page.screenshot({ path: join(__dirname, '../../docs/screenshot-gpu.png') })
      await popover.locator('input[value="auto"]').check()
      await expect.poll(() => backend.textContent()).toContain(`Backend: ${doctor.engine.active} ·`)
      await page.close()
    })
  })

  describe('with a run history', () => {
    let served: Served
    let seeded: ReturnType<typeof seedHistory>
    beforeAll(async () => {
      seeded = seedHistory(join(dir.path, 'history'))
      served = await serve(join(dir.path, 'history'))
    })
    afterAll(() => served.stop())

    it('lists runs, opens them in tabs and closes tabs', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 760 } })
      await page.goto(served.url)
      await page.click('[data-section="runs"]')
      const rows = page.locator('[data-table="runs"] [data-run]')
      await expect.poll(() => rows.count()).toBe(3)
      expect(await rows.first().textContent()).toContain('vae β=1')
      expect(await page.locator('[data-section="runs"] .count').textContent()).toBe('3')
      await shot(page, 'runs-light')

      await page.click(`[data-run="${seeded.runIds[1]}"]`)
      const tab = page.locator(`[data-run-tab="${seeded.runIds[1]}"]`)
      await tab.waitFor()
      expect(await tab.textContent()).toContain('Loss became NaN at step 812')
      await page.click('[data-section="runs"]')
      await page.click(`[data-run="${seeded.runIds[0]}"]`)
      await page.locator(`[data-run-tab="${seeded.runIds[0]}"]`).waitFor()
      expect(await page.locator('[role="tab"]').count()).toBe(2)
      expect(await page.locator('.config').textContent()).toContain('"preset": "small-cnn"')
      await shot(page, 'run-tab-light')

      await page.click(`[data-tab="run:${seeded.runIds[0]}"] .close`)
      expect(await page.locator('[role="tab"]').count()).toBe(1)
      await page.locator(`[data-run-tab="${seeded.runIds[1]}"]`).waitFor()

      await page.click('[data-section="experiments"]')
      await page.getByText('Small CNN baseline').click()
      await page.locator(`[data-experiment-tab="${seeded.experimentId}"]`).waitFor()
      expect(
        await page.locator(`[data-experiment-tab="${seeded.experimentId}"] [data-run]`).count()
      ).toBe(3)
      await shot(page, 'experiment-tab-light')
      await page.close()
    })

    it('follows a dark system theme', async () => {
      const context = await browser.newContext({
        colorScheme: 'dark',
        viewport: { width: 1280, height: 760 }
      })
      const page = await context.newPage()
      await page.goto(served.url)
      await page.getByText('fashion-mnist').first().waitFor()
      const background = await page.evaluate(
        () => getComputedStyle(document.documentElement).backgroundColor
      )
      expect(background).toBe('rgb(22, 24, 29)')
      await shot(page, 'datasets-dark')
      await page.click('[data-section="runs"]')
      await page.click(`[data-run="${seeded.runIds[0]}"]`)
      await page.locator(`[data-run-tab="${seeded.runIds[0]}"]`).waitFor()
      await shot(page, 'run-tab-dark')
      await context.close()
    })
  })
})
