/**
 * The label-budget experiment from the UI, in real Chromium against `dgmw serve`: planned from a
 * dataset on real (few) Fashion-MNIST clothes — the supervised baseline against the generative
 * Bayes classifier at 5 labels per class and at every label — its chart and table filling in as
 * the runs finish, both exports, then one generative classifier's run tab with its samples, its
 * evaluation and its out-of-distribution check side by side.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/tempDir'
import { openFashionApp, screenshotDir, type Served } from './browserMode'

const docs = join(__dirname, '../../docs')
const shot = (page: Page, name: string): Promise<Buffer> =>
  page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true })

// Fails, never skips, without the data set (openFashionApp requires it): CI installs Debian's
// dataset-fashion-mnist.
describe('a label-budget experiment from the UI', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served
  let page: Page

  beforeAll(async () => {
    ;({ browser, dir, served, page } = await openFashionApp({
      prefix: 'dgmw-e2e-label-budget-',
      perClass: 60,
      acceptDownloads: true
    }))
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir?.cleanup()
  })

  const chart = () => page.locator('[data-chart="label-budget"]')
  const chartPoints = async (): Promise<number> => Number(await chart().getAttribute('data-points'))

  it('plans the experiment from a dataset and queues every run', async () => {
    await page.locator('[data-dataset-item]').first().click()
    await page.locator('[data-action="new-label-budget"]').waitFor()
    await page.screenshot({ path: join(screenshotDir, 'label-budget-dataset.png') })
    await page.click('[data-action="new-label-budget"]')
    const dialog = page.locator('[data-dialog="label-budget"]')
    // augment needs a conditional generator run, and this fresh dataset has none.
    expect(await dialog.locator('[data-recipe="augment"]').isDisabled()).toBe(true)
    await dialog.locator('[data-recipe="sgan"]').uncheck()
    await dialog.locator('input[data-field="budgets"]').fill('5, all, five')
    await dialog.locator('[data-action="start-label-budget"]').click()
    expect(await dialog.locator('[data-form-errors]').textContent()).toMatch(/“five”/)
    await dialog.locator('input[data-field="budgets"]').fill('5, all')
    // Once fixed, the error goes (the form checks again as it is edited after a failed submit).
    await expect.poll(() => dialog.locator('[data-form-errors]').count()).toBe(0)
    // Two seeds: each point has a spread, drawn as error bars.
    await dialog.locator('[data-field="seeds"] input').fill('2')
    await dialog.locator('[data-field="steps"] input').fill('40')
    await dialog.locator('[data-field="batchSize"] input').fill('32')
    await expect
      .poll(async () =>
        (await dialog.locator('[data-run-count]').textContent())?.replace(/\s+/g, ' ')
      )
      .toMatch(/Queues 8 runs \(2 recipes × 2 budgets × 2 seeds\)/)
    await dialog.screenshot({ path: join(screenshotDir, 'label-budget-plan.png') })
    await dialog.locator('[data-action="start-label-budget"]').click()

    await page.locator('[data-label-budget]').waitFor()
    expect(await page.textContent('[data-progress]')).toMatch(/of 8 runs done/)
    expect(await page.locator('[data-table="label-budget"] tbody tr').count()).toBe(2)
  }, 60_000)

  it('draws points as runs finish, and fills the table with mean accuracies', async () => {
    await expect.poll(chartPoints, { timeout: 150_000, interval: 1000 }).toBeGreaterThan(0)
    await expect
      .poll(() => page.textContent('[data-progress]'), { timeout: 240_000, interval: 1000 })
      .toMatch(/8 of 8 runs done/)
    await expect.poll(chartPoints, { timeout: 10_000 }).toBe(4)
    await chart().locator('canvas').first().waitFor()
    for (const cell of ['classifier:5', 'classifier:all', 'gen-bayes:5', 'gen-bayes:all']) {
      const mean = Number(
        await page.locator(`[data-cell="${cell}"] [data-mean]`).getAttribute('data-mean')
      )
      expect(mean, cell).toBeGreaterThan(0)
      expect(mean, cell).toBeLessThanOrEqual(1)
      expect(await page.textContent(`[data-cell="${cell}"]`)).toMatch(
        /\d+\.\d( ± \d+\.\d)?[\s\S]*2\/2/
      )
    }
    // Each generative cell is paired with the classifier seed by seed, in words and as data.
    const paired = page.locator('[data-cell="gen-bayes:5"] [data-paired]')
    expect(await paired.textContent()).toMatch(
      /^[+−]\d+\.\d pts vs classifier, ahead on [0-2]\/2 seeds$/
    )
    expect(Number.isFinite(Number(await paired.getAttribute('data-paired')))).toBe(true)
    expect(await page.locator('[data-cell="classifier:5"] [data-paired]').count()).toBe(0)
    expect(await page.locator('[data-table="label-budget"] .badge').count()).toBeGreaterThanOrEqual(
      2
    )
    // The screenshot the README shows: the chart and its table, above the runs.
    await page.setViewportSize({ width: 1366, height: 1000 })
    await page.locator('[data-label-budget] h1').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(docs, 'screenshot-label-budget.png') })
    await shot(page, 'label-budget-result')
  }, 300_000)

  it('exports the chart as a PNG and the runs as CSV', async () => {
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-action="export-png"]')
    ])
    expect(png.suggestedFilename()).toMatch(/\.png$/)
    await png.saveAs(join(screenshotDir, 'label-budget-export.png'))
    const pngBytes = readFileSync(await png.path())
    expect(pngBytes.subarray(1, 4).toString()).toBe('PNG')

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-action="export-csv"]')
    ])
    expect(csv.suggestedFilename()).toMatch(/\.csv$/)
    const lines = readFileSync(await csv.path(), 'utf8')
      .trimEnd()
      .split('\n')
    expect(lines[0]).toMatch(/^row,recipe,budget,labels_per_class,seed,run_id,status,test_accuracy/)
    expect(lines.filter((l) => l.startsWith('run,'))).toHaveLength(8)
    expect(lines.filter((l) => l.startsWith('summary,'))).toHaveLength(4)
    expect(lines.some((l) => /^run,gen-bayes,all,\d+,0,\d+,completed,0\.\d+/.test(l))).toBe(true)
  })

  it("opens a generative classifier's run: samples, evaluation and the OOD check together", async () => {
    await page.locator('[data-cell="gen-bayes:5"] [data-open-run]').first().click()
    await page.locator('[data-run-tab][data-status="completed"]').waitFor()
    await page.locator('[data-generative-panel]').waitFor()
    await page.locator('[data-evaluation]').waitFor()
    const ood = page.locator('[data-ood]')
    await ood.waitFor()
    expect(Number(await ood.getAttribute('data-flagged'))).toBeGreaterThanOrEqual(0)
    expect(await ood.textContent()).toMatch(/validation images/)
    await page.locator('[data-latent-map] canvas').waitFor({ timeout: 30_000 })
    await page.setViewportSize({ width: 1366, height: 2600 })
    await page.locator('[data-run-tab] h1').scrollIntoViewIfNeeded()
    await shot(page, 'label-budget-gen-bayes-run')
    await page.setViewportSize({ width: 1366, height: 900 })
  }, 60_000)

  it('offers the new recipes in the new-run form, augment with a generator run', async () => {
    await page.click('[data-section="experiments"]')
    await expect.poll(() => page.locator('[data-kind="label-budget"]').count()).toBe(1)
    await shot(page, 'label-budget-experiments')
    await page.click('[data-action="new-run"]')
    const dialog = page.locator('[data-dialog="new-run"]')
    const recipe = {
      selectOption: (r: string) => dialog.locator(`input[data-recipe="${r}"]`).check()
    }
    await recipe.selectOption('gen-bayes')
    expect(await dialog.locator('[data-field="importanceSamples"] input').inputValue()).toBe('1')
    await dialog.locator('[data-field="oodQuantile"] input').waitFor()
    await recipe.selectOption('sgan')
    await dialog.locator('[data-field="unsupervisedWeight"] input').waitFor({ state: 'attached' })
    expect(await dialog.locator('[data-field="labelsPerClass"] input').inputValue()).toBe('0')
    await dialog.screenshot({ path: join(screenshotDir, 'new-run-sgan.png') })
    await recipe.selectOption('augment')
    // The label-budget experiment's gen-bayes runs are conditional generators of this dataset.
    const generator = dialog.locator('select[data-field="generatorRunId"]')
    await expect.poll(() => generator.locator('option').count()).toBe(4)
    expect(await generator.inputValue()).not.toBe('')
    await dialog.screenshot({ path: join(screenshotDir, 'new-run-augment.png') })
    // vae-graph: its graph settings, and how long it trains, said before it starts.
    await recipe.selectOption('vae-graph')
    expect(await dialog.locator('[data-field="neighbours"] input').inputValue()).toBe('10')
    expect(await dialog.locator('select[data-field="propagation"]').inputValue()).toBe('poisson')
    expect(await dialog.locator('[data-field="width"]').count()).toBe(0)
    await expect
      .poll(() => dialog.locator('[data-planned-length]').textContent(), { timeout: 10_000 })
      .toMatch(
        /^Trains [\d,]+ optimisation steps \(10 epochs × \d+ batches of 128 on [\d,]+ images\)\.$/
      )
    await dialog.screenshot({ path: join(screenshotDir, 'new-run-vae-graph.png') })
    // 5 labels per class on 10 classes is one batch: 1,000 epochs (the most) are 1,000 steps.
    await recipe.selectOption('classifier')
    await dialog.locator('[data-field="labelsPerClass"] input').fill('5')
    await expect
      .poll(() => dialog.locator('[data-planned-length]').textContent(), { timeout: 10_000 })
      .toMatch(/5 epochs raised to the most allowed, 1,000, short of the minimum of 2,000 steps/)
    await dialog.locator('[data-field="labelsPerClass"] input').fill('0')
    // self-train needs a finished vae-graph run of this dataset, and says so.
    await recipe.selectOption('self-train')
    expect(await dialog.locator('select[data-field="generatorRunId"] option').count()).toBe(0)
    expect(await dialog.textContent()).toMatch(/No finished vae-graph run on this dataset yet/)
    await dialog.screenshot({ path: join(screenshotDir, 'new-run-self-train.png') })
    await dialog.locator('.close').click()
  })
})
