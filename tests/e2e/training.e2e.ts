/**
 * The first path a researcher walks, in real Chromium against `dgmw serve`: a real (small) image
 * folder of Fashion-MNIST clothes, a run started from the new-run form, live progress and curves
 * while it trains, then the evaluation: a confusion-matrix cell clicked, and exactly its images.
 */
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classificationReport } from '../../main/runs/evaluation'
import { databaseFileName, ensureDataDir } from '../../main/services/dataDir'
import { openRunStore } from '../../main/store/runStore'
import { tempDir } from '../helpers/tempDir'
import { launchChromium, openFashionApp, screenshotDir, serve, type Served } from './browserMode'

const shot = (page: Page, name: string): Promise<Buffer> =>
  page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true })

describe('training a classifier from the UI', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served
  let page: Page

  beforeAll(async () => {
    ;({ browser, dir, served, page } = await openFashionApp({
      prefix: 'dgmw-e2e-training-',
      perClass: 300
    }))
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir?.cleanup()
  })

  it('starts a run from the form and shows progress, moving curves and the title', async () => {
    await page.locator('[data-dataset-item]').first().click()
    await page.click('[data-action="train-classifier"]')
    const dialog = page.locator('[data-dialog="new-run"]')
    await dialog.locator('input[data-field="name"]').fill('clothes cnn')
    await dialog.locator('[data-field="epochs"] input').fill('8')
    await dialog.locator('[data-field="batchSize"] input').fill('32')
    await dialog.locator('[data-action="start-run"]').click()

    const tab = page.locator('[data-run-tab]')
    await tab.waitFor()
    const progress = page.locator('[data-run-progress]')
    await progress.waitFor({ timeout: 30_000 })
    const loss = page.locator('[data-chart="Training loss per step"]')
    const points = async (): Promise<number> => Number(await loss.getAttribute('data-points'))
    await expect.poll(points, { timeout: 30_000 }).toBeGreaterThan(0)
    const before = await points()
    const stepBefore = Number(await progress.getAttribute('data-step'))
    await expect.poll(points, { timeout: 30_000 }).toBeGreaterThan(before)
    // Chart points are flushed on a 250 ms timer and progress events arrive on their own, so each
    // is polled: one can move a moment before the other.
    const step = async (): Promise<number> => Number(await progress.getAttribute('data-step'))
    await expect.poll(step, { timeout: 30_000 }).toBeGreaterThan(stepBefore)
    expect(await page.title()).toMatch(/^\d+% · epoch \d+\/8 · /)
    await page
      .locator('[data-chart="Accuracy per epoch"][data-points]:not([data-points="0"])')
      .waitFor({ timeout: 30_000 })
    await shot(page, 'run-training')
  }, 120_000)

  it('ends with an evaluation whose confusion-matrix cells open exactly their images', async () => {
    await page.locator('[data-run-tab][data-status="completed"]').waitFor({ timeout: 90_000 })
    await page.locator('[data-evaluation]').waitFor()
    expect(await page.title()).not.toMatch(/%/)
    const accuracy = Number.parseFloat((await page.textContent('[data-test-accuracy]'))!)
    expect(accuracy).toBeGreaterThan(30) // 10 classes: chance is 10%
    await page
      .locator('[data-gallery="Most confidently wrong"] [data-prediction]')
      .first()
      .waitFor()
    await shot(page, 'run-completed')

    // The largest confusion: the first error listed after the ten diagonal cells.
    const errorCell = page.locator('[data-cell]').nth(10)
    const [label, predicted] = (await errorCell.getAttribute('data-cell'))!.split(',').map(Number)
    expect(label).not.toBe(predicted)
    const count = Number(await errorCell.getAttribute('data-count'))
    await errorCell.click()
    const gallery = page.locator('[data-cell-gallery]')
    await expect.poll(async () => Number(await gallery.getAttribute('data-total'))).toBe(count)
    await expect.poll(() => gallery.locator('[data-prediction] canvas').count()).toBe(count)
    await gallery.scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(screenshotDir, 'confusion-cell.png') })

    // A diagonal cell shows the correctly classified images of that class.
    const diagonal = page.locator('[data-cell="0,0"]')
    const correct = Number(await diagonal.getAttribute('data-count'))
    await diagonal.click()
    await expect.poll(async () => Number(await gallery.getAttribute('data-total'))).toBe(correct)
    await page.click('[data-normalise]')
  }, 120_000)
})

describe('a confusion matrix of 100 classes', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served

  beforeAll(async () => {
    dir = tempDir('dgmw-e2e-confusion100-')
    // An evaluation as a 100-class run stores it: most images right, errors mostly between
    // neighbouring classes (as between CIFAR-100's related classes), a few anywhere.
    const store = openRunStore(join(ensureDataDir(dir.path), databaseFileName))
    const labels = Array.from({ length: 100 }, (_, i) => `class ${String(i).padStart(2, '0')}`)
    let state = 3
    const next = (): number => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32
    const truth: number[] = []
    const predicted: number[] = []
    for (let i = 0; i < 10_000; i++) {
      const label = i % 100
      const r = next()
      truth.push(label)
      predicted.push(r < 0.7 ? label : r < 0.9 ? (label + 1) % 100 : Math.floor(next() * 100))
    }
    const runId = store.createRun({
      recipe: 'classifier',
      seed: 1,
      config: {},
      name: 'cifar-100-like'
    })
    store.setRunStatus(runId, 'completed')
    store.saveEvaluation(
      {
        runId,
        split: 'test',
        loss: 1.2,
        createdAt: new Date().toISOString(),
        ...classificationReport(labels, truth, predicted)
      },
      truth.map((label, idx) => ({ idx, label, predicted: predicted[idx], confidence: next() }))
    )
    store.close()
    browser = await launchChromium()
    served = await serve(dir.path)
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir?.cleanup()
  })

  it('draws every class and keeps cells clickable', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 1100 } })
    await page.goto(served.url)
    await page.click('[data-section="runs"]')
    await page.locator('[data-run]').first().click()
    const matrix = page.locator('[data-confusion]')
    await matrix.waitFor()
    expect(await matrix.locator('[data-cell]').count()).toBeGreaterThan(200)
    const cell = matrix.locator('[data-cell="41,42"]')
    const count = Number(await cell.getAttribute('data-count'))
    expect(count).toBeGreaterThan(5)
    await cell.click()
    const gallery = page.locator('[data-cell-gallery]')
    await expect.poll(async () => Number(await gallery.getAttribute('data-total'))).toBe(count)
    await matrix.scrollIntoViewIfNeeded()
    await matrix.screenshot({ path: join(screenshotDir, 'confusion-100.png') })
  })
})
