import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedRuns, type SeededRuns } from '../helpers/seedRuns'
import { tempDir } from '../helpers/tempDir'
import { launchChromium, screenshotDir, serve, type Served } from './browserMode'

const shot = (page: Page, name: string): Promise<Buffer> =>
  page.screenshot({ path: join(screenshotDir, `${name}.png`) })

/** `91.2 %` → 0.912; `—` → null. */
const percent = (text: string | null): number | null =>
  text && text.includes('%') ? Number.parseFloat(text) / 100 : null

describe('runs, compare and the new-run form in browser mode', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served
  let seeded: SeededRuns
  let page: Page
  const runCount = 40 + 2 // seedRuns(…, 40) adds the two compared runs

  const rows = (): ReturnType<Page['locator']> => page.locator('[data-table="runs"] [data-run]')
  const testAccuracies = async (): Promise<(number | null)[]> =>
    (await rows().locator('[data-col="testAccuracy"]').allTextContents()).map(percent)

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true })
    dir = tempDir('dgmw-e2e-runs-')
    seeded = seedRuns(dir.path, 40)
    browser = await launchChromium()
    served = await serve(dir.path)
    page = await browser.newPage({ viewport: { width: 1366, height: 820 } })
    await page.goto(served.url)
    await page.click('[data-section="runs"]')
    await rows().first().waitFor()
  })
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir.cleanup()
  })

  it('sorts by test accuracy either way, missing values last', async () => {
    expect(await page.locator('[data-run-count]').textContent()).toContain(`${runCount} runs`)
    await page.click('[data-sort="testAccuracy"]')
    const header = page.locator('[role="columnheader"]', {
      has: page.locator('[data-sort="testAccuracy"]')
    })
    expect(await header.getAttribute('aria-sort')).toBe('descending')
    const down = (await testAccuracies()).filter((v): v is number => v !== null)
    expect(down.length).toBeGreaterThan(5)
    expect(down).toEqual([...down].sort((a, b) => b - a))
    await shot(page, 'runs-table')

    await page.click('[data-sort="testAccuracy"]')
    expect(await header.getAttribute('aria-sort')).toBe('ascending')
    const up = (await testAccuracies()).filter((v): v is number => v !== null)
    expect(up).toEqual([...up].sort((a, b) => a - b))
    expect(up[0]).toBeLessThan(down[0])
  })

  it('filters by text and by status', async () => {
    await page.fill('[data-filter="text"]', 'compare lr')
    await expect.poll(() => rows().count()).toBe(2)
    expect(await page.locator('[data-run-count]').textContent()).toContain(`2 of ${runCount} runs`)
    await page.fill('[data-filter="text"]', '')

    await page.selectOption('[data-filter="status"]', 'failed')
    await expect
      .poll(async () => new Set(await rows().locator('.badge').allTextContents()))
      .toEqual(new Set(['failed']))
    expect(await rows().count()).toBe(8) // every fifth of the 40 seeded runs
    await page.getByRole('button', { name: 'Clear filters' }).first().click()
    await expect.poll(() => rows().count()).toBeGreaterThan(10)
  })

  it('opens a run in a tab from its row', async () => {
    const [first] = seeded.compared.ids
    await page.fill('[data-filter="text"]', 'compare lr')
    await page.click(`[data-run="${first}"]`)
    await page.locator(`[data-tab="run:${first}"]`).waitFor()
    expect(await page.locator(`[data-tab="run:${first}"]`).getAttribute('aria-selected')).toBe(
      'true'
    )
  })

  it('keeps tag chips on one line and run actions in one button style', async () => {
    await page.setViewportSize({ width: 1280, height: 720 })
    const [first] = seeded.compared.ids
    await page.locator(`[data-tab="run:${first}"]`).click()
    const actions = page.locator('[data-run-tab] [data-run-actions] button')
    await actions.first().waitFor()
    const looks = await actions.evaluateAll((buttons) =>
      buttons.map((b) => {
        const s = getComputedStyle(b)
        return {
          kind: b.classList.contains('primary')
            ? 'primary'
            : b.classList.contains('plain')
              ? 'plain'
              : 'bare',
          radius: s.borderRadius,
          height: b.getBoundingClientRect().height
        }
      })
    )
    expect(looks.length).toBeGreaterThan(1)
    expect(looks.filter((l) => l.kind === 'bare')).toEqual([])
    expect(new Set(looks.map((l) => l.radius)).size).toBe(1)
    expect(
      Math.max(...looks.map((l) => l.height)) - Math.min(...looks.map((l) => l.height))
    ).toBeLessThan(2)
    await page.screenshot({ path: join(screenshotDir, 'run-actions-1280.png') })

    await page.click('[data-section="runs"]')
    const chips = page.locator('[data-tag]')
    await chips.first().waitFor()
    const heights = await chips.evaluateAll((els) =>
      els.map((e) => ({
        height: e.getBoundingClientRect().height,
        line: Number.parseFloat(getComputedStyle(e).fontSize) * 1.6
      }))
    )
    for (const h of heights) expect(h.height).toBeLessThan(h.line + 6)
    await page.setViewportSize({ width: 1366, height: 820 })
  })

  it('compares two selected runs: curves, best values and the config key that differs', async () => {
    const [a, b] = seeded.compared.ids
    await page.click('[data-section="runs"]')
    await expect.poll(() => rows().count()).toBe(2) // the filter was kept
    const compare = page.locator('[data-action="compare"]')
    expect(await compare.isDisabled()).toBe(true)
    await page.locator(`[data-run="${a}"] input[type="checkbox"]`).check()
    await page.locator(`[data-run="${b}"] input[type="checkbox"]`).check()
    expect(await compare.textContent()).toContain('Compare (2)')
    await compare.click()

    await page.locator(`[data-tab="compare:${a},${b}"]`).waitFor()
    const diff = page.locator('[data-compare="config"]')
    const learningRate = diff.locator('[data-config-key="learningRate"]')
    await learningRate.waitFor()
    expect(await learningRate.getAttribute('data-differs')).toBe('true')
    expect(await learningRate.textContent()).toMatch(/0\.001.*0\.003/)
    // Identical settings are folded away until asked for.
    expect(await diff.locator('[data-config-key="epochs"]').count()).toBe(0)
    await page.click('[data-action="toggle-identical"]')
    expect(await diff.locator('[data-config-key="epochs"]').count()).toBe(1)
    await page.click('[data-action="toggle-identical"]')

    const testRow = page.locator('[data-compare="headline"] tr', { hasText: 'Test accuracy' })
    expect(await testRow.locator('[data-best]').textContent()).toContain('89.50 %')
    for (const series of ['loss', 'val/loss', 'val/accuracy'])
      await page.locator(`[data-compare-chart="${series}"] canvas`).first().waitFor()
    await page.waitForTimeout(300) // let the charts draw before the picture
    await shot(page, 'runs-compare')
  })

  it('opens the new-run form from an experiment and refuses an invalid learning rate', async () => {
    await page.click('[data-section="experiments"]')
    await page.locator('[data-table="experiments"] tr', { hasText: 'Learning-rate sweep' }).click()
    await page.locator(`[data-experiment-tab="${seeded.experimentIds[0]}"]`).waitFor()
    await page.click(`[data-experiment-tab] [data-action="new-run"]`)

    const dialog = page.getByRole('dialog', { name: 'New classifier run' })
    await dialog.waitFor()
    expect(await dialog.locator('[data-field="datasetId"]').inputValue()).toBe(
      String(seeded.datasetId)
    )
    expect(await dialog.locator('[data-field="experimentId"]').inputValue()).toBe(
      String(seeded.experimentIds[0])
    )
    // Momentum belongs to SGD only (the optimizer is an advanced setting, folded at first).
    expect(await dialog.locator('[data-field="momentum"]').count()).toBe(0)
    await dialog.locator('[data-advanced] > summary').click()
    await dialog.locator('[data-field="optimizer"]').selectOption('sgd')
    expect(await dialog.locator('[data-field="momentum"]').count()).toBe(1)

    const rate = dialog.locator('[data-field="learningRate"] input')
    await rate.fill('0')
    await dialog.locator('[data-action="start-run"]').click()
    const error = dialog.locator('[data-field="learningRate"] [data-field-error]')
    await error.waitFor()
    expect(await error.textContent()).toBe('Must be greater than 0.')
    expect(await rate.getAttribute('aria-invalid')).toBe('true')
    await expect.poll(() => rate.evaluate((el) => el === document.activeElement)).toBe(true)
    await shot(page, 'new-run-form')

    // Nothing was started, and Escape closes the form.
    expect(await page.locator('[data-section="runs"] .count').textContent()).toBe(String(runCount))
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.count()).toBe(0)
  })
})
