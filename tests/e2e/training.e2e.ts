/**
 * The first path a researcher walks, in real Chromium against `dgmw serve`: a real (small) image
 * folder of Fashion-MNIST clothes, a run started from the new-run form, live progress and curves
 * while it trains, then the evaluation: a confusion-matrix cell clicked, and exactly its images.
 */
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classificationReport } from '../../main/runs/evaluation'
import { databaseFileName, ensureDataDir } from '../../main/platform/dataDir'
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
    const runId = store.runs.create({
      recipe: 'classifier',
      seed: 1,
      config: {},
      name: 'cifar-100-like'
    })
    store.runs.setStatus(runId, 'completed')
    store.results.saveEvaluation(
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

/** "≈ 6 h 20 min", "≈ 15 min", "≈ 45 s" in an estimate's text, in seconds. */
function estimateSeconds(text: string): number {
  const m = /≈ (?:(\d+) h)? ?(?:(\d+) min)?(?:(\d+) s)?/.exec(text)
  if (!m) throw new Error(`No estimate in “${text}”.`)
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)
}

// Fails, never skips, without the data set: CI installs Debian's dataset-fashion-mnist.
describe('guidance before long work', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served
  let page: Page
  const sizes = [
    { width: 1440, height: 900 },
    { width: 1280, height: 720 }
  ]

  beforeAll(async () => {
    ;({ browser, dir, served, page } = await openFashionApp({
      prefix: 'dgmw-e2e-guidance-',
      perClass: 40
    }))
    await page.setViewportSize(sizes[0])
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir?.cleanup()
  })

  const dialog = () => page.locator('[data-dialog="new-run"]')

  it('groups the recipes by purpose and says how long a run takes here', async () => {
    await page.locator('[data-dataset-item]').first().click()
    await page.click('[data-action="train-classifier"]')
    const groups = dialog().locator('[data-recipe-group]')
    expect(
      await groups.evaluateAll((els) => els.map((e) => e.getAttribute('data-recipe-group')))
    ).toEqual(['Classify', 'Classify with few labels', 'Generate images', 'Measure a generator'])
    // One line per recipe beside its name.
    expect(await groups.nth(1).textContent()).toMatch(/sgan.*GAN whose discriminator/)
    // Nothing ran yet: a short probe in the engine measures the speed.
    const estimate = dialog().locator('[data-run-estimate]')
    await expect
      .poll(() => estimate.textContent(), { timeout: 60_000 })
      .toMatch(/≈ \d+ (s|min).* on wasm · \d+ threads? \(measured just now, training steps only\)/)
    for (const size of sizes) {
      await page.setViewportSize(size)
      for (const recipe of ['classifier', 'sgan', 'dcgan', 'cas']) {
        await dialog().locator(`input[data-recipe="${recipe}"]`).check()
        await dialog().screenshot({
          path: join(screenshotDir, `new-run-${recipe}-${size.width}.png`)
        })
      }
      // Only the body scrolls, never the dialog around it as well.
      expect(
        await dialog().evaluate((d) => d.scrollHeight <= d.clientHeight + 1),
        'the dialog itself scrolls'
      ).toBe(true)
    }
    await page.setViewportSize(sizes[0])
    await dialog().locator('input[data-recipe="classifier"]').check()
    await expect.poll(() => estimate.textContent(), { timeout: 60_000 }).toMatch(/on wasm/)
  }, 180_000)

  it('folds the advanced fields, and they open from the keyboard', async () => {
    const optimizer = dialog().locator('select[data-field="optimizer"]')
    expect(await optimizer.isVisible()).toBe(false)
    await dialog().locator('[data-field="augmentation.cutout"] input').focus()
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('SUMMARY')
    await page.keyboard.press('Enter')
    await optimizer.waitFor()
    expect(
      await dialog()
        .locator('[data-advanced]')
        .evaluate((d) => (d as HTMLDetailsElement).open)
    ).toBe(true)
    await page.keyboard.press('Enter')
    await optimizer.waitFor({ state: 'hidden' })
  })

  it('clears a stale error when its field changes, and shows what main refuses', async () => {
    const rate = dialog().locator('[data-field="learningRate"] input')
    await rate.fill('-1')
    await dialog().locator('[data-action="start-run"]').click()
    await expect
      .poll(() => dialog().locator('[data-form-errors]').textContent())
      .toMatch(/Learning rate/)
    await rate.fill('0.001')
    await expect.poll(() => dialog().locator('[data-form-errors]').count()).toBe(0)
    await expect.poll(() => dialog().locator('[data-field-error]').count()).toBe(0)
    // A setting main refuses says why before Start, and the message goes with the setting.
    await dialog().locator('[data-advanced] > summary').click()
    const initFrom = dialog().locator('input[data-field="initFrom"]')
    await initFrom.fill('/no/such/export')
    await expect
      .poll(() => dialog().locator('[data-preview-error]').textContent(), { timeout: 20_000 })
      .toMatch(/\/no\/such\/export/)
    await initFrom.fill('')
    await expect.poll(() => dialog().locator('[data-preview-error]').count()).toBe(0)
    await page.keyboard.press('Escape')
    await dialog().waitFor({ state: 'detached' })
  }, 60_000)

  it('previews augmentation on several classes and trains with exactly those settings', async () => {
    const preview = page.locator('[data-augment-preview]')
    await preview.scrollIntoViewIfNeeded()
    await expect.poll(() => preview.locator('[data-augment-row]').count()).toBeGreaterThan(3)
    const classes = await preview.locator('[data-augment-class]').allTextContents()
    expect(new Set(classes).size).toBe(classes.length)
    expect(await preview.textContent()).toMatch(/What training sees with these settings/)
    await preview.locator('input[type="range"]').nth(1).fill('25') // rotation
    await preview.locator('input[type="range"]').nth(4).fill('6') // cutout
    for (const size of sizes) {
      await page.setViewportSize(size)
      await preview.scrollIntoViewIfNeeded()
      await preview.screenshot({ path: join(screenshotDir, `augment-preview-${size.width}.png`) })
    }
    await page.setViewportSize(sizes[0])
    await preview.locator('[data-action="train-with-augmentation"]').click()
    const form = dialog()
    expect(await form.locator('[data-field="augmentation.rotateDegrees"] input').inputValue()).toBe(
      '25'
    )
    expect(await form.locator('[data-field="augmentation.cutout"] input').inputValue()).toBe('6')
    expect(await form.locator('[data-field="augmentation.cropPadding"] input').inputValue()).toBe(
      '2'
    )
    expect(await form.locator('input[data-field="augmentation.flip"]').isChecked()).toBe(true)
    await page.keyboard.press('Escape')
  }, 60_000)

  it('plans a label-budget experiment that fits about 15 minutes here, and more on request', async () => {
    await page.click('[data-action="new-label-budget"]')
    const plan = page.locator('[data-dialog="label-budget"]')
    const estimate = plan.locator('[data-run-estimate]')
    await expect
      .poll(() => estimate.textContent(), { timeout: 180_000, interval: 1000 })
      .toMatch(/^\s*\d+ runs ≈ .* on wasm · \d+ threads? \(measured/)
    const first = (await estimate.textContent())!
    expect(estimateSeconds(first)).toBeLessThanOrEqual(16 * 60)
    expect(estimateSeconds(first)).toBeGreaterThan(0)
    expect(await plan.textContent()).toMatch(/Fitted to about 15 min here|Epochs follow from it/)
    for (const size of sizes) {
      await page.setViewportSize(size)
      await plan.screenshot({ path: join(screenshotDir, `label-budget-plan-${size.width}.png`) })
    }
    // More seeds: more runs, a longer estimate, said as it is edited.
    await plan.locator('[data-field="seeds"] input').fill('4')
    await expect
      .poll(async () => estimateSeconds((await estimate.textContent()) ?? ''), { timeout: 60_000 })
      .toBeGreaterThan(estimateSeconds(first) * 1.5)
    expect(await plan.locator('[data-run-count]').textContent()).toMatch(/Queues 16 runs/)
    await page.keyboard.press('Escape')
  }, 300_000)
})
