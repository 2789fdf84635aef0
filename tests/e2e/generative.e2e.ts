/**
 * A generative run from the UI, in real Chromium against `dgmw serve`: a DCGAN started from the
 * new-run form on real (few) Fashion-MNIST clothes, its fixed-noise grid redrawn live while it
 * trains, the timelapse replayed and scrubbed back to the untrained generator, then new samples
 * generated on demand.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFashionSubset } from '../helpers/fashionSubset'
import { tempDir } from '../helpers/tempDir'
import { launchChromium, openFashionApp, screenshotDir, serve, type Served } from './browserMode'

const bin = join(__dirname, '../../bin/dgmw.cjs')
const shot = (page: Page, name: string): Promise<Buffer> =>
  page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true })

describe('training a generative model from the UI', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served
  let page: Page
  // 1000 training images at most, batch 32, 4 snapshots per epoch, 2 epochs, plus step 0.
  const frames = 1 + 2 * 4

  beforeAll(async () => {
    ;({ browser, dir, served, page } = await openFashionApp({
      prefix: 'dgmw-e2e-generative-',
      perClass: 100
    }))
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir?.cleanup()
  })

  const grid = () => page.locator('img[data-sample-grid]')
  const gridStep = async (): Promise<number> => Number(await grid().getAttribute('data-step'))
  let lastStep = 0

  it('starts a DCGAN from the form and redraws its sample grid while it trains', async () => {
    await page.locator('[data-dataset-item]').first().click()
    await page.click('[data-action="train-generative"]')
    const dialog = page.locator('[data-dialog="new-run"]')
    expect(await dialog.locator('input[data-recipe="dcgan"]').isChecked()).toBe(true)
    // The recipe's own settings, prefilled from its defaults.
    expect(await dialog.locator('[data-field="beta1"] input').inputValue()).toBe('0.5')
    await expect.poll(() => dialog.locator('[data-field="gradientPenalty"]').count()).toBe(0)
    // Another recipe brings its own settings and defaults; coming back restores DCGAN's.
    await dialog.locator('input[data-recipe="wgan-gp"]').check()
    expect(await dialog.locator('[data-field="gradientPenalty"] input').inputValue()).toBe('10')
    expect(await dialog.locator('[data-field="beta1"] input').inputValue()).toBe('0')
    await dialog.locator('input[data-recipe="dcgan"]').check()
    expect(await dialog.locator('[data-field="beta1"] input').inputValue()).toBe('0.5')
    await dialog.locator('input[data-field="name"]').fill('clothes dcgan')
    await dialog.locator('[data-field="epochs"] input').fill('2')
    await dialog.locator('[data-field="batchSize"] input').fill('32')
    // The networks and the timelapse are advanced settings, folded until asked for.
    await dialog.locator('[data-advanced] > summary').click()
    await dialog.locator('[data-field="width"] input').fill('16')
    await dialog.locator('[data-field="snapshotsPerEpoch"] input').fill('4')
    await dialog.screenshot({ path: join(screenshotDir, 'generative-new-run.png') })
    await dialog.locator('[data-action="start-run"]').click()

    await page.locator('[data-run-tab]').waitFor()
    await grid().waitFor({ timeout: 60_000 })
    const firstStep = await gridStep()
    const firstSrc = await grid().getAttribute('src')
    expect(firstSrc).toMatch(/^data:image\/png;base64,/)
    // The view follows the newest frame: a later step, a different picture.
    await expect.poll(gridStep, { timeout: 90_000 }).toBeGreaterThan(firstStep)
    await expect.poll(() => grid().getAttribute('src')).not.toBe(firstSrc)
    const losses = page.locator('[data-chart="Discriminator and generator loss per step"]')
    await expect
      .poll(async () => Number(await losses.getAttribute('data-points')), { timeout: 30_000 })
      .toBeGreaterThan(0)
    await shot(page, 'generative-training')
  }, 180_000)

  it('replays the timelapse and scrubs back to the untrained generator', async () => {
    await page.locator('[data-run-tab][data-status="completed"]').waitFor({ timeout: 180_000 })
    const slider = page.locator('input[data-timelapse]')
    await expect.poll(() => slider.getAttribute('data-frames')).toBe(String(frames))
    lastStep = await gridStep()
    expect(lastStep).toBeGreaterThan(0)

    // Replay: it starts from the first frame and ends back on the latest.
    await page.click('[data-action="play-timelapse"]')
    await expect.poll(gridStep, { timeout: 5_000 }).toBeLessThan(lastStep)
    await expect.poll(gridStep, { timeout: 15_000 }).toBe(lastStep)

    await slider.fill('0')
    await expect.poll(gridStep).toBe(0)
    expect(await page.textContent('[data-frame-label]')).toBe('untrained · step 0')
    await page.locator('[data-sample-timelapse]').scrollIntoViewIfNeeded()
    await shot(page, 'generative-timelapse')
  }, 240_000)

  it('says scores need a classifier, and generates new samples on demand', async () => {
    // Never measured (no classifier yet): "Measure", not "Measure again".
    expect((await page.textContent('[data-action="measure"]'))?.trim()).toBe('Measure')
    await page.click('[data-action="measure"]')
    await expect
      .poll(() => page.textContent('[data-score-error]'), { timeout: 30_000 })
      .toMatch(/Train one/)

    await page.click('text=Go to latest')
    await expect.poll(gridStep).toBe(lastStep)

    const panel = page.locator('[data-generate-panel]')
    await panel.locator('[data-generate="n"]').fill('16')
    await panel.locator('[data-generate="seed"]').fill('3')
    await panel.locator('[data-action="generate"]').click()
    const generated = panel.locator('[data-generated="16"]')
    await generated.waitFor({ timeout: 60_000 })
    expect(await generated.getAttribute('data-seed')).toBe('3')
    await expect.poll(() => generated.locator('canvas').count()).toBe(16)
    // The whole tab in one picture: a viewport as tall as the page (the app scrolls inside).
    await page.setViewportSize({ width: 1366, height: 1700 })
    await page.locator('[data-run-tab] h1').scrollIntoViewIfNeeded()
    await shot(page, 'generative-completed')
    await page.setViewportSize({ width: 1366, height: 900 })
  }, 120_000)
})

describe('a conditional VAE measured by a classifier', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served

  beforeAll(async () => {
    dir = tempDir('dgmw-e2e-cvae-')
    const folder = join(dir.path, 'clothes')
    await writeFashionSubset(folder, 100)
    const home = join(dir.path, 'home')
    // A classifier first (its features measure the generator), then the CVAE, both from the CLI.
    const cvae = '--recipe cvae --epochs 2 --batch-size 32 --width 16 --snapshots 2'.split(' ')
    const commands = [
      ['import', folder, '--name', 'clothes', '--seed', '1'],
      ['train', '--dataset', 'clothes', '--epochs', '3', '--batch-size', '32', '--name', 'cls'],
      ['train', '--dataset', 'clothes', ...cvae, '--name', 'clothes cvae']
    ]
    for (const args of commands) {
      const done = spawnSync(process.execPath, [bin, ...args, '--data-dir', home], {
        encoding: 'utf8'
      })
      expect(done.status, done.stderr).toBe(0)
    }
    browser = await launchChromium()
    served = await serve(home)
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir?.cleanup()
  })

  it('labels grid rows by class, shows scores, reconstructions, the latent map and classes on demand', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } })
    await page.goto(served.url)
    await page.click('[data-section="runs"]')
    await page.locator('[data-run]', { hasText: 'clothes cvae' }).click()
    await page.locator('img[data-sample-grid]').waitFor()
    const rows = page.locator('[data-row-label]')
    await expect.poll(() => rows.count()).toBe(10)
    // An ImageFolder's classes are its folder names in order: rows follow them.
    expect(await rows.first().textContent()).toBe('Ankle boot')

    const fd = Number(await page.textContent('[data-fd]'))
    expect(fd).toBeGreaterThan(0)
    expect(await page.textContent('[data-fd-untrained]')).toMatch(/untrained \d/)
    expect(await page.textContent('[data-scores]')).not.toMatch(/FID/)
    await page.click('[data-action="measure"]')
    await expect
      .poll(() => page.locator('[data-per-class] tr').count(), { timeout: 60_000 })
      .toBe(10)

    await page.locator('[data-reconstructions][data-count="16"]').waitFor({ timeout: 30_000 })
    await page.locator('[data-latent-map][data-projection="pca"] canvas').waitFor()

    const panel = page.locator('[data-generate-panel]')
    await panel.locator('[data-generate="n"]').fill('8')
    await panel.locator('[data-generate="class"]').selectOption({ label: 'Trouser' })
    await panel.locator('[data-action="generate"]').click()
    const generated = panel.locator('[data-generated="8"]')
    await generated.waitFor({ timeout: 30_000 })
    expect(await generated.locator('.caption').allTextContents()).toEqual(
      new Array(8).fill('Trouser')
    )
    await page.setViewportSize({ width: 1366, height: 2200 })
    await page.locator('[data-run-tab] h1').scrollIntoViewIfNeeded()
    await shot(page, 'generative-vae')
  }, 120_000)
})
