/**
 * axe-core over every view of the workbench in Chromium, on real data: zero serious or critical
 * violations (WCAG 2.1 A/AA and axe's best practices). The runs are tiny (one epoch on 200 real
 * Fashion-MNIST images, trained through the CLI) so the whole check stays under a minute or two.
 */
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/tempDir'
import { dgmwIn, fashionHome, seriousViolations } from './accessibility'
import { launchChromium, serve, type Served } from './browserMode'

describe('accessibility of every view (axe-core)', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served
  let empty: Served
  let page: Page
  let modelDir: string

  beforeAll(async () => {
    let home: string
    ;({ dir, home } = await fashionHome('dgmw-e2e-axe-', 20))
    dgmwIn(home, [
      'train',
      '--dataset',
      'clothes',
      '--epochs',
      '1',
      '--batch-size',
      '32',
      '--name',
      'cls'
    ])
    dgmwIn(home, [
      'train',
      '--dataset',
      'clothes',
      ...'--recipe vae --epochs 1 --batch-size 32 --width 16 --snapshots 1 --name gen'.split(' ')
    ])
    modelDir = join(dir.path, 'exported-cls')
    dgmwIn(home, ['export', '1', '--format', 'tfjs', '--out', modelDir])
    browser = await launchChromium()
    served = await serve(home)
    empty = await serve(join(dir.path, 'empty-home'))
    // AxeBuilder needs a page of an explicit context (it opens a blank page beside it).
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    page = await context.newPage()
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    await empty?.stop()
    dir?.cleanup()
  })

  /** Fails with the rule, its help text and the elements at fault. */
  async function expectNoSeriousViolations(view: string): Promise<void> {
    const found = await seriousViolations(page)
    // Soft: one run of the check lists every view at fault, not just the first.
    expect.soft(found, `${view}: ${JSON.stringify(found, null, 2)}`).toEqual([])
  }

  it('datasets, empty', async () => {
    await page.goto(empty.url)
    await page.getByText('Drop an image folder here').waitFor()
    await expectNoSeriousViolations('datasets (empty)')
    await page.click('[data-section="runs"]')
    await page.getByText('No runs yet').waitFor()
    await expectNoSeriousViolations('runs (empty)')
    await page.click('[data-section="experiments"]')
    await page.getByText('No experiments yet').waitFor()
    await expectNoSeriousViolations('experiments (empty)')
  })

  it('a dataset with its gallery, the image viewer, and the status bar backend panel', async () => {
    await page.goto(served.url)
    await page.locator('[data-dataset-item]', { hasText: 'clothes' }).click()
    await page.locator('[data-image]').first().waitFor()
    await page.locator('[data-augment-preview] canvas').first().waitFor()
    await expectNoSeriousViolations('dataset')
    await page.locator('[data-image]').first().click()
    await page.locator('[data-viewer]').waitFor()
    await expectNoSeriousViolations('image viewer')
    await page.keyboard.press('Escape')
    await page.click('[data-status="backend"]')
    await page.getByText('Tensor backends, in the order tried').waitFor()
    await expectNoSeriousViolations('backend panel')
    await page.keyboard.press('Escape') // closes the panel, focus back on its button
    await expect.poll(() => page.getByText('Tensor backends, in the order tried').count()).toBe(0)
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-status'))).toBe(
      'backend'
    )
  })

  it('the new-run dialog, for a classifier and a generator', async () => {
    await page.click('[data-action="train-classifier"]')
    const dialog = page.locator('[data-dialog="new-run"]')
    await dialog.waitFor()
    await expectNoSeriousViolations('new-run dialog (classifier)')
    await page.keyboard.press('Escape')
    await page.click('[data-action="train-generative"]')
    await dialog.waitFor()
    await expectNoSeriousViolations('new-run dialog (generator)')
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.count()).toBe(0)
  })

  it('the runs view and the run tabs of a classifier and a generator', async () => {
    await page.click('[data-section="runs"]')
    const rows = page.locator('[data-run]')
    await expect.poll(() => rows.count()).toBe(2)
    await expectNoSeriousViolations('runs view')
    await page.locator('[data-run]', { hasText: 'cls' }).click()
    await page.locator('[data-run-tab][data-status="completed"]').waitFor()
    await page.locator('[data-evaluation]').waitFor()
    await expectNoSeriousViolations('run tab (classifier)')
    await page.click('[data-action="export-run"]')
    await page.locator('[data-dialog="export"]').waitFor()
    await expectNoSeriousViolations('export dialog')
    await page.keyboard.press('Escape')
    await page.click('[data-section="runs"]')
    await page.locator('[data-run]', { hasText: 'gen' }).click()
    await page.locator('img[data-sample-grid]').waitFor()
    await expectNoSeriousViolations('run tab (generator)')
  })

  it('the compare tab', async () => {
    await page.click('[data-section="runs"]')
    for (const row of await page.locator('[data-run] input[type="checkbox"]').all())
      await row.check()
    await page.click('[data-action="compare"]')
    await page.locator('[role="tab"][data-tab^="compare:"][aria-selected="true"]').waitFor()
    await page.getByText('Results').first().waitFor()
    await expectNoSeriousViolations('compare tab')
  })

  it('the exported model tab (predict)', async () => {
    await page.click('[data-section="runs"]')
    await page.click('[data-action="open-exported-model"]')
    await page.locator('[data-dialog="open-exported-model"]').waitFor()
    await expectNoSeriousViolations('open exported model dialog')
    await page.fill('[data-field="model-path"]', modelDir)
    await page.click('[data-action="open-model"]')
    await page.locator('[data-model-tab]').waitFor()
    await expectNoSeriousViolations('exported model tab')
  })

  it('the experiments view, an experiment, the label-budget dialog and its view', async () => {
    await page.click('[data-section="experiments"]')
    await page.locator('[data-table="experiments"]').waitFor()
    await expectNoSeriousViolations('experiments view')
    await page.locator('[data-experiment]').first().click()
    await expect.poll(() => page.locator('[role="tab"][data-tab^="experiment:"]').count()).toBe(1)
    await expectNoSeriousViolations('experiment tab')

    await page.click('[data-section="experiments"]')
    await page.locator('[data-action="new-label-budget"]').first().click()
    const dialog = page.locator('[data-dialog="label-budget"]')
    await dialog.waitFor()
    await expectNoSeriousViolations('label-budget dialog')
    // The smallest real plan: one budget, one seed, a few steps per run.
    await dialog.locator('[data-field="budgets"]').fill('10')
    await dialog.locator('[data-field="seeds"] input').fill('1')
    await dialog.locator('[data-field="steps"] input').fill('10')
    await dialog.locator('[data-action="start-label-budget"]').click()
    await page.locator('[data-label-budget]').waitFor({ timeout: 30_000 })
    await expectNoSeriousViolations('label-budget view')
  })

  it('the dark theme: a dataset, a run tab and the compare tab', async () => {
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.click('[data-section="datasets"]')
    await page.locator('[data-dataset-item]', { hasText: 'clothes' }).click()
    await page.locator('[data-image]').first().waitFor()
    await expectNoSeriousViolations('dataset (dark)')
    await page.click('[data-section="runs"]')
    await page.locator('[data-run]', { hasText: 'cls' }).click()
    await page.locator('[data-evaluation]').waitFor()
    await expectNoSeriousViolations('run tab (dark)')
    await page.locator('[role="tab"][data-tab^="compare:"]').click()
    await page.getByText('Results').first().waitFor()
    await expectNoSeriousViolations('compare tab (dark)')
    await page.emulateMedia({ colorScheme: 'light' })
  })
})
