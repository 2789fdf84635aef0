/**
 * Exporting a run's model and predicting on new images, in real Chromium against `dgmw serve`: a
 * tiny classifier trained from the UI on real Fashion-MNIST clothes, exported as TF.js (checked on
 * disk), exported again to the same folder (the replace question, answered both ways), exported as
 * ONNX; then predictions on a folder of real PNGs and one corrupt file, typed as a path and
 * uploaded as a browser folder, sorted, filtered and saved as CSV; and the exported folder opened
 * on its own, to predict with and to fine-tune from.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classNames, writeFashionSubset } from '../helpers/fashionSubset'
import { tempDir } from '../helpers/tempDir'
import { openFashionApp, screenshotDir, type Served } from './browserMode'

const docs = join(__dirname, '../../docs')
const shot = (page: Page, name: string): Promise<Buffer> =>
  page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true })

describe('exporting a model and predicting with it', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served
  let page: Page
  let home: string
  let tfjsDir: string
  let onnxDir: string
  let images: string

  beforeAll(async () => {
    ;({ browser, dir, served, page, home } = await openFashionApp({
      prefix: 'dgmw-e2e-export-predict-',
      perClass: 60,
      acceptDownloads: true
    }))
    tfjsDir = join(dir.path, 'exports', 'tiny-tfjs')
    onnxDir = join(dir.path, 'exports', 'tiny-onnx')
    // Ten real clothes (one of each class, in class folders) and a PNG that is not one: the PNG
    // signature, then noise, so it is sniffed as a PNG and fails to decode.
    images = join(dir.path, 'to-predict')
    await writeFashionSubset(images, 1)
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    writeFileSync(join(images, 'broken.png'), Buffer.concat([png, randomBytes(300)]))
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir?.cleanup()
  })

  const dialog = () => page.locator('[data-dialog="export"]')
  const rows = () => page.locator('[data-prediction-row]')
  const counts = () => page.textContent('[data-predict-counts]')
  const probabilities = async (): Promise<number[]> =>
    (await rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-probability')))).map(
      Number
    )

  it('trains a tiny classifier to export', async () => {
    await page.locator('[data-dataset-item]').first().click()
    await page.click('[data-action="train-classifier"]')
    const form = page.locator('[data-dialog="new-run"]')
    await form.locator('input[data-field="name"]').fill('tiny cnn')
    await form.locator('[data-field="epochs"] input').fill('2')
    await form.locator('[data-field="batchSize"] input').fill('32')
    await form.locator('[data-action="start-run"]').click()
    await page.locator('[data-run-tab][data-status="completed"]').waitFor({ timeout: 120_000 })
    await page.locator('[data-action="export-run"]').waitFor()
  }, 150_000)

  it('exports as TF.js and shows what was written and how it was verified', async () => {
    await page.click('[data-action="export-run"]')
    await dialog().waitFor()
    expect(await dialog().locator('[data-format="tfjs"]').isChecked()).toBe(true)
    const path = dialog().locator('[data-field="export-path"]')
    // Browser mode: a path in the data directory's exports folder, named after the run and format.
    expect(await path.inputValue()).toMatch(/[\\/]exports[\\/]tiny-cnn-tfjs$/)
    await path.fill(tfjsDir)
    await dialog().screenshot({ path: join(screenshotDir, 'export-dialog.png') })
    await dialog().locator('[data-action="export"]').click()

    const report = dialog().locator('[data-export-report][data-format="tfjs"]')
    await report.waitFor({ timeout: 120_000 })
    expect(await report.getAttribute('data-pass')).toBe('true')
    expect(await dialog().locator('[data-export-path]').textContent()).toBe(tfjsDir)
    const row = dialog().locator('[data-verification] [data-network="classifier"]')
    expect(await row.getAttribute('data-verdict')).toBe('pass')
    expect(await row.getAttribute('data-file')).toBe('model.json')
    expect(await row.textContent()).toMatch(/\d+\/\d+/) // top-1 agreement
    for (const file of ['model.json', 'labels.txt', 'metadata.json', 'README.md'])
      expect(existsSync(join(tfjsDir, file)), file).toBe(true)
    expect(readFileSync(join(tfjsDir, 'labels.txt'), 'utf8').trim().split('\n')).toHaveLength(10)
    const listed = await dialog().locator('[data-export-files] li').allTextContents()
    expect(listed.sort()).toEqual(readdirSync(tfjsDir).sort())
    // The picture the README shows: the report over the run it came from.
    await page.screenshot({ path: join(docs, 'screenshot-export.png') })
  }, 150_000)

  it('asks before replacing an existing folder, and replaces it only when told', async () => {
    await dialog().locator('[data-action="export-again"]').click()
    expect(await dialog().locator('[data-field="export-path"]').inputValue()).toBe(tfjsDir)
    await dialog().locator('[data-action="export"]').click()
    const confirm = dialog().locator('[data-export-confirm]')
    await confirm.waitFor({ timeout: 30_000 })
    expect((await confirm.textContent())?.replace(/\s+/g, ' ')).toContain(
      `A folder already exists at ${tfjsDir} — replace it?`
    )
    await dialog().screenshot({ path: join(screenshotDir, 'export-replace.png') })
    // No: back to the form, nothing written.
    await dialog().locator('[data-action="keep-folder"]').click()
    await dialog().locator('[data-action="export"]').click()
    await confirm.waitFor({ timeout: 30_000 })
    await dialog().locator('[data-action="replace-folder"]').click()
    const report = dialog().locator('[data-export-report][data-format="tfjs"]')
    await report.waitFor({ timeout: 120_000 })
    expect(await report.textContent()).toMatch(/replaced the old folder/)
    expect(existsSync(join(tfjsDir, 'model.json'))).toBe(true)
  }, 150_000)

  it('exports as ONNX beside it, checked by another runtime', async () => {
    await dialog().locator('[data-action="export-again"]').click()
    await dialog().locator('[data-format="onnx"]').check()
    // The typed path's format suffix follows the choice.
    expect(await dialog().locator('[data-field="export-path"]').inputValue()).toBe(onnxDir)
    await dialog().locator('[data-action="export"]').click()
    const report = dialog().locator('[data-export-report][data-format="onnx"]')
    await report.waitFor({ timeout: 120_000 })
    const row = dialog().locator('[data-verification] [data-network="classifier"]')
    expect(await row.getAttribute('data-file')).toBe('model.onnx')
    expect(await row.getAttribute('data-verdict')).toBe('pass')
    expect(await row.textContent()).toMatch(/onnx/i)
    expect(existsSync(join(onnxDir, 'model.onnx'))).toBe(true)
    await dialog().screenshot({ path: join(screenshotDir, 'export-onnx.png') })
    await page.emulateMedia({ colorScheme: 'dark' })
    await dialog().screenshot({ path: join(screenshotDir, 'export-onnx-dark.png') })
    await page.emulateMedia({ colorScheme: 'light' })
    await dialog().locator('[data-action="close-export"]').click()
    await dialog().waitFor({ state: 'detached' })
  }, 150_000)

  it('predicts a typed folder: every image a row, the corrupt file listed as skipped', async () => {
    const panel = page.locator('[data-run-tab] [data-predict-panel]')
    await panel.scrollIntoViewIfNeeded()
    await panel.locator('[data-predict-path]').fill(images)
    await panel.locator('[data-action="predict-path"]').click()
    await expect.poll(() => rows().count(), { timeout: 60_000 }).toBe(10)
    expect(await counts()).toBe('10 images · 1 skipped · 10 shown')
    for (const cls of await rows().evaluateAll((els) =>
      els.map((e) => e.getAttribute('data-class'))
    ))
      expect(classNames).toContain(cls)
    for (const p of await probabilities()) {
      expect(p).toBeGreaterThan(0)
      expect(p).toBeLessThanOrEqual(1)
    }
    // Paths show below the folder they share, thumbnails are the model's inputs.
    expect(await rows().first().locator('[data-file]').textContent()).toMatch(/^\s*[\w -]+\/0\.png/)
    expect(await rows().locator('canvas').count()).toBe(10)
    const skipped = panel.locator('[data-skipped-file]')
    expect(await skipped.count()).toBe(1)
    expect(await skipped.getAttribute('data-reason')).toBe('corrupt')
    expect(await skipped.textContent()).toMatch(/broken\.png[\s\S]*corrupt[\s\S]*cannot be decoded/)

    // The picture the README shows: the whole panel, from its heading to the skipped file.
    await page.setViewportSize({ width: 1366, height: 1040 })
    await page.locator('[data-run-tab] h2', { hasText: 'Predict' }).evaluate((h) => {
      h.scrollIntoView({ block: 'start' })
      h.closest('.shell-content')?.scrollBy(0, -12)
    })
    await page.mouse.move(0, 0)
    await page.screenshot({ path: join(docs, 'screenshot-predict.png') })
    await page.setViewportSize({ width: 1366, height: 900 })
  }, 90_000)

  it('sorts by probability, filters by class and confidence, and saves what is shown as CSV', async () => {
    await page.click('[data-sort="probability"]')
    const sorted = await probabilities()
    expect(sorted).toEqual([...sorted].sort((a, b) => b - a))

    // The class of the most confident image, then only that class.
    const top = (await rows().first().getAttribute('data-class'))!
    const ofTop = (
      await rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-class')))
    ).filter((c) => c === top).length
    await page.selectOption('[data-filter="predicted-class"]', { label: `${top} (${ofTop})` })
    await expect.poll(() => rows().count()).toBe(ofTop)
    expect(await counts()).toBe(`10 images · 1 skipped · ${ofTop} shown`)
    await shot(page, 'predict-filtered')

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-action="export-predictions-csv"]')
    ])
    expect(download.suggestedFilename()).toBe('predictions-tiny-cnn.csv')
    const lines = readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\n')
    expect(lines[0]).toMatch(/^path,top1,top1_index,probability,top1_label,top1_probability,/)
    expect(lines).toHaveLength(ofTop + 1)
    expect(lines.slice(1).every((l) => l.includes(`,${top},`))).toBe(true)

    // A confidence floor above every probability leaves nothing; clearing brings all back.
    await page.selectOption('[data-filter="predicted-class"]', '')
    await page.locator('[data-filter="min-probability"]').evaluate((el: HTMLInputElement) => {
      el.value = '1'
      el.dispatchEvent(new Event('input', { bubbles: true }))
    })
    const certain = sorted.filter((p) => p >= 1).length
    await expect.poll(() => rows().count()).toBe(certain)
    await page.click('text=Clear filters')
    await expect.poll(() => rows().count()).toBe(10)
  }, 60_000)

  it('uploads a folder chosen in the browser and predicts it', async () => {
    const panel = page.locator('[data-run-tab] [data-predict-panel]')
    await panel.locator('[data-predict-folder]').setInputFiles(images)
    // The browser cannot name a path on the server: the files are uploaded into the data folder.
    await expect
      .poll(() => panel.locator('[data-common-folder]').textContent(), { timeout: 60_000 })
      .toContain(home)
    expect(await panel.getAttribute('data-phase')).toBe('done')
    expect(await rows().count()).toBe(10)
    expect(await counts()).toBe('10 images · 1 skipped · 10 shown')
    expect(await panel.locator('[data-skipped-file]').getAttribute('data-reason')).toBe('corrupt')
  }, 90_000)

  it('opens the exported folder on its own, predicts with it and fine-tunes from it', async () => {
    await page.click('[data-section="runs"]')
    await page.click('[data-action="open-exported-model"]')
    const open = page.locator('[data-dialog="open-exported-model"]')
    await open.locator('[data-field="model-path"]').fill(join(dir.path, 'nothing-here'))
    await open.locator('[data-action="open-model"]').click()
    await open.locator('[data-open-model-error]').waitFor()
    // The host's words, as they are: what is wrong and what to do.
    expect(await open.locator('[data-open-model-error]').textContent()).toMatch(
      /no metadata\.json.*choose an export folder/
    )
    // The dialog as a researcher sees it after a wrong folder: the host's message in place.
    await open.screenshot({ path: join(screenshotDir, 'open-model-error.png') })
    await open.locator('[data-field="model-path"]').fill(tfjsDir)
    await open.locator('[data-action="open-model"]').click()

    const tab = page.locator('[data-model-tab]')
    await tab.waitFor()
    // The dataset's class order, as labels.txt lists it.
    const labels = readFileSync(join(tfjsDir, 'labels.txt'), 'utf8').trim().split('\n')
    expect([...labels].sort()).toEqual([...classNames].sort())
    expect(await tab.locator('[data-model-labels] li').allTextContents()).toEqual(labels)
    expect(await tab.locator('[data-metric="testAccuracy"]').textContent()).toMatch(/\d+\.\d%/)
    // The whole training folder: 600 rows, of which only those on screen are in the page.
    await tab.locator('[data-predict-path]').fill(join(dir.path, 'clothes'))
    await tab.locator('[data-action="predict-path"]').click()
    await expect
      .poll(() => page.textContent('[data-predict-counts]'), { timeout: 60_000 })
      .toBe('600 images · 0 skipped · 600 shown')
    expect(await rows().count()).toBeGreaterThan(5)
    expect(await rows().count()).toBeLessThan(60)
    await page.mouse.move(0, 0)
    await shot(page, 'exported-model-tab')
    await tab
      .locator('[data-table="predictions"]')
      .evaluate((el) => (el.scrollTop = el.scrollHeight))
    await expect
      .poll(() => rows().last().locator('.pt-num').first().textContent())
      .toMatch(/^\s*600\s*$/)

    await tab.locator('[data-action="fine-tune"]').click()
    const form = page.locator('[data-dialog="new-run"]')
    await form.waitFor()
    expect(await form.locator('[data-field="initFrom"]').inputValue()).toBe(tfjsDir)
    expect(await form.locator('[data-preset="small-cnn"]').isChecked()).toBe(true)
    await form.locator('input[data-field="name"]').fill('tiny cnn, fine-tuned')
    await form.locator('[data-field="epochs"] input').fill('1')
    await form.locator('[data-field="batchSize"] input').fill('32')
    await form.screenshot({ path: join(screenshotDir, 'fine-tune-form.png') })
    await form.locator('[data-action="start-run"]').click()
    await page.locator('[data-run-tab][data-status="completed"]').waitFor({ timeout: 120_000 })
    expect(await page.textContent('[data-run-tab] h1')).toBe('tiny cnn, fine-tuned')
    // The run keeps where it started from in its config.
    expect(await page.textContent('[data-run-tab] details.config pre')).toContain(
      `"initFrom": ${JSON.stringify(tfjsDir)}`
    )
  }, 180_000)
})
