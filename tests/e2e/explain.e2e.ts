/**
 * The Explain panel in real Chromium against `dgmw serve`, on real Fashion-MNIST runs trained
 * through the CLI (a small CNN and a conditional VAE): a misclassified test image from the
 * "most confidently wrong" gallery explained by Grad-CAM and gradients beside the randomised-
 * weights sanity check (opacity, colour bar, Save PNG, Escape), decoded as every class by the
 * cVAE; a predicted file from the predict table; and the cVAE run's traversals, counterfactuals
 * and class prototypes. Screenshots of each view go to the README.
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFashionSubset } from '../helpers/fashionSubset'
import { tempDir } from '../helpers/tempDir'
import { seriousViolations } from './accessibility'
import { launchChromium, screenshotDir, serve, type Served } from './browserMode'

const bin = join(__dirname, '../../bin/dgmw.cjs')
const docs = join(__dirname, '../../docs')

/** Distinct colours among a canvas's pixels, and whether every pixel is grey (r = g = b). */
function canvasStats(canvas: Locator): Promise<{ colours: number; grey: boolean }> {
  return canvas.evaluate((el: HTMLCanvasElement) => {
    const data = el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data
    const seen = new Set<number>()
    let grey = true
    for (let i = 0; i < data.length; i += 4) {
      seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2])
      if (data[i] !== data[i + 1] || data[i + 1] !== data[i + 2]) grey = false
    }
    return { colours: seen.size, grey }
  })
}

describe('explaining predictions and generative models', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served
  let page: Page

  beforeAll(async () => {
    dir = tempDir('dgmw-e2e-explain-')
    const folder = join(dir.path, 'clothes')
    await writeFashionSubset(folder, 60)
    const home = join(dir.path, 'home')
    const cvae = '--recipe cvae --epochs 8 --batch-size 32 --width 16 --latent 8 --snapshots 1'
    const commands = [
      ['import', folder, '--name', 'clothes', '--seed', '1'],
      [
        'train',
        '--dataset',
        'clothes',
        '--epochs',
        '4',
        '--batch-size',
        '32',
        '--name',
        'small cnn'
      ],
      ['train', '--dataset', 'clothes', ...cvae.split(' '), '--name', 'clothes cvae']
    ]
    for (const args of commands) {
      const done = spawnSync(process.execPath, [bin, ...args, '--data-dir', home], {
        encoding: 'utf8'
      })
      expect(done.status, done.stderr).toBe(0)
    }
    browser = await launchChromium()
    served = await serve(home)
    // A context of its own: axe-core's Playwright runner needs one.
    const context = await browser.newContext({
      viewport: { width: 1366, height: 900 },
      acceptDownloads: true
    })
    page = await context.newPage()
    await page.goto(served.url)
  }, 240_000)
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir?.cleanup()
  })

  const dialog = () => page.locator('[data-dialog="explain"]')
  const status = () => dialog().locator('[data-saliency] .status')
  const openRun = async (name: string): Promise<void> => {
    await page.click('[data-section="runs"]')
    await page.locator('[data-run]', { hasText: name }).click()
  }

  it('explains a misclassified test image, with the sanity check beside it', async () => {
    await openRun('small cnn')
    const wrong = page.locator('[data-gallery="Most confidently wrong"] [data-action="explain"]')
    await wrong.first().waitFor({ timeout: 60_000 })
    await wrong.first().focus()
    await page.keyboard.press('Enter')
    await dialog().waitFor()
    // Grad-CAM first, for the predicted class, beside the randomised model's map.
    await dialog().locator('[data-sanity-verdict]').waitFor({ timeout: 60_000 })
    expect(await dialog().locator('[data-saliency-method]').inputValue()).toBe('gradcam')
    expect(await status().textContent()).toMatch(/Grad-CAM on conv 2 of 2 \(11×11\)/)
    expect(await dialog().locator('[data-sanity-verdict]').textContent()).toMatch(
      /Spearman ρ = -?\d\.\d\d between the two maps/
    )
    const trained = dialog().locator('[data-map="trained"] canvas')
    const randomised = dialog().locator('[data-map="randomised"] canvas')
    expect((await canvasStats(trained)).colours).toBeGreaterThan(20)
    expect((await canvasStats(randomised)).grey).toBe(false)
    await dialog().locator('[data-colour-bar="inferno"]').waitFor()
    // Opacity 0 shows the (grey) image alone.
    await dialog().locator('[data-map-opacity]').fill('0')
    await expect.poll(async () => (await canvasStats(trained)).grey).toBe(true)
    await dialog().locator('[data-map-opacity]').fill('0.75')

    // The cVAE of the dataset decodes the image as every class, with the classifier's view.
    const row = dialog().locator('[data-counterfactual-row] li')
    await expect.poll(() => row.count(), { timeout: 60_000 }).toBe(11)
    expect(await dialog().locator('[data-counterfactual-generator]').textContent()).toMatch(
      /clothes cvae/
    )
    expect(await dialog().locator('li.own .class').textContent()).toMatch(/\(reconstruction\)/)

    expect(await seriousViolations(page)).toEqual([])
    // Tall enough for the whole dialog (it scrolls inside at 900 pixels).
    await page.setViewportSize({ width: 1366, height: 1500 })
    await dialog().screenshot({ path: join(screenshotDir, 'explain-saliency.png') })
    await page.setViewportSize({ width: 1366, height: 900 })
    copyFileSync(
      join(screenshotDir, 'explain-saliency.png'),
      join(docs, 'screenshot-explain-saliency.png')
    )

    // Gradients, for another class: a new map, from the engine.
    await dialog().locator('[data-saliency-method]').selectOption('grad')
    await dialog().locator('[data-saliency-class]').selectOption({ index: 1 })
    await expect.poll(() => status().textContent(), { timeout: 30_000 }).toMatch(/Logit of/)
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog().locator('[data-action="save-map-png"]').click()
    ])
    expect(download.suggestedFilename()).toMatch(/^run\d+-image\d+-grad-.+\.png$/)
    const png = readFileSync(await download.path())
    expect(png.subarray(1, 4).toString()).toBe('PNG')

    await page.keyboard.press('Escape')
    await dialog().waitFor({ state: 'detached' })
    // Focus returns to the thumbnail that opened it.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-action'))).toBe(
      'explain'
    )
  }, 180_000)

  it('explains a row of the predict table from its thumbnail', async () => {
    const panel = page.locator('[data-predict-panel]')
    await panel.locator('[data-predict-path]').fill(join(dir.path, 'clothes', 'Sneaker'))
    await panel.locator('[data-action="predict-path"]').click()
    await panel.locator('[data-prediction-row]').first().waitFor({ timeout: 60_000 })
    await panel.locator('[data-prediction-row] [data-action="explain"]').first().click()
    await dialog().locator('[data-sanity-verdict]').waitFor({ timeout: 60_000 })
    expect(await dialog().locator('h2').textContent()).toMatch(/Explain: .+\.png: predicted /)
    // A file has no true class and no dataset index: no counterfactual section.
    expect(await dialog().locator('[data-counterfactual-generator]').count()).toBe(0)
    await dialog().locator('button.close').click()
    await dialog().waitFor({ state: 'detached' })
  }, 120_000)

  it('shows the cVAE run’s traversals, counterfactuals and class prototypes', async () => {
    await openRun('clothes cvae')
    const traversals = page.locator('[data-traversals]:not([data-image-traversals])')
    await expect
      .poll(() => traversals.locator('[data-traversal-row]').count(), { timeout: 60_000 })
      .toBe(8)
    const kls = (await traversals.locator('.kl').allTextContents()).map((t) => parseFloat(t))
    expect(kls).toEqual([...kls].sort((a, b) => b - a))
    // Pictures at the default range, the whole panel in view (the app scrolls inside).
    await page.setViewportSize({ width: 1366, height: 2600 })
    await traversals.screenshot({ path: join(screenshotDir, 'explain-traversals.png') })
    await traversals.locator('[data-traversal-range]').fill('1.5')
    await expect
      .poll(() => traversals.locator('.offsets').textContent(), { timeout: 30_000 })
      .toMatch(/base code plus -1\.5, .*\+1\.5 along/)

    const counterfactuals = page.locator('[data-generative-counterfactuals]')
    await expect
      .poll(() => counterfactuals.locator('[data-counterfactual-row] li').count(), {
        timeout: 60_000
      })
      .toBe(11)
    await counterfactuals.locator('[data-counterfactual-image]').nth(1).click()
    await expect
      .poll(() => counterfactuals.locator('.status').first().textContent(), { timeout: 30_000 })
      .toMatch(/^#\d+: true .+, the classifier said .+\.$/)
    await counterfactuals.locator('[data-counterfactual-row] li').nth(10).waitFor()
    // …and its own code traversed: the image's latent mean, four rows, decoded as its class.
    const around = counterfactuals.locator('[data-image-traversals]')
    await expect
      .poll(() => around.locator('[data-traversal-row]').count(), { timeout: 30_000 })
      .toBe(4)
    expect(await around.locator('.status').textContent()).toMatch(
      /Base code: the image’s latent mean/
    )

    const prototypes = page.locator('[data-prototypes]')
    await expect
      .poll(() => prototypes.locator('[data-prototype-row]').count(), { timeout: 60_000 })
      .toBe(10)
    expect(await seriousViolations(page)).toEqual([])

    await counterfactuals.screenshot({ path: join(screenshotDir, 'explain-counterfactual.png') })
    await prototypes.screenshot({ path: join(screenshotDir, 'explain-prototypes.png') })
    await page.setViewportSize({ width: 1366, height: 900 })
    for (const name of ['traversals', 'counterfactual', 'prototypes'])
      copyFileSync(
        join(screenshotDir, `explain-${name}.png`),
        join(docs, `screenshot-explain-${name}.png`)
      )
  }, 180_000)
})
