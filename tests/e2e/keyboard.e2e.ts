/**
 * The workbench from the keyboard alone, in real Chromium: the tab strip (WAI-ARIA tabs, overflow
 * menu, close others/all, kept across a reload), the gallery as one focusable grid, the image
 * viewer and dialogs that take, trap and give back focus, and Stop's confirmation.
 */
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedRuns } from '../helpers/seedRuns'
import { tempDir } from '../helpers/tempDir'
import { fashionHome, focused, seriousViolations } from './accessibility'
import { launchChromium, screenshotDir, serve, type Served } from './browserMode'

const shot = (page: Page, name: string): Promise<Buffer> =>
  page.screenshot({ path: join(screenshotDir, `${name}.png`) })
const docs = join(__dirname, '../../docs')

describe('the keyboard', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served
  let page: Page

  beforeAll(async () => {
    let home: string
    ;({ dir, home } = await fashionHome('dgmw-e2e-keys-', 30))
    seedRuns(home, 8) // a run history to open tabs on, beside the imported clothes
    browser = await launchChromium()
    served = await serve(home)
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    page = await context.newPage() // a context of its own: axe-core needs one
    await page.goto(served.url)
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir?.cleanup()
  })

  const activeCell = (): Promise<number> =>
    page
      .locator('[data-gallery]')
      .evaluate((grid) =>
        Number(
          document.getElementById(grid.getAttribute('aria-activedescendant') ?? '')?.dataset.cell ??
            -1
        )
      )

  it('moves through the gallery as one grid: one Tab in, arrows, Enter opens, Escape returns, one Tab out', async () => {
    await page.locator('[data-dataset-item]', { hasText: 'clothes' }).click()
    await page.locator('[data-image]').first().waitFor()
    const grid = page.locator('[data-gallery]')
    expect(await grid.getAttribute('role')).toBe('grid')
    const columns = Number(await grid.getAttribute('aria-colcount'))
    expect(columns).toBeGreaterThan(2)

    await page.focus('[data-filter="split"]')
    await page.keyboard.press('Tab')
    expect((await focused(page)).attr['data-gallery']).toBeDefined()
    expect(await activeCell()).toBe(0)

    await page.keyboard.press('ArrowRight')
    expect(await activeCell()).toBe(1)
    await page.keyboard.press('ArrowDown')
    expect(await activeCell()).toBe(1 + columns)
    await page.keyboard.press('End')
    expect(await activeCell()).toBe(2 * columns - 1)
    await page.keyboard.press('Home')
    expect(await activeCell()).toBe(columns)
    // 300 images: Ctrl+End scrolls the virtual list to the last one, which is then on screen.
    await page.keyboard.press('Control+End')
    await expect.poll(activeCell).toBe(299)
    expect(await page.locator('[data-cell="299"]').isVisible()).toBe(true)
    // Jumps that scroll the virtual list: the active cell exists once the list has re-rendered.
    await page.keyboard.press('Control+Home')
    await expect.poll(activeCell).toBe(0)
    await page.keyboard.press('PageDown')
    await expect.poll(activeCell).toBeGreaterThanOrEqual(columns * 4)
    expect((await activeCell()) % columns).toBe(0)
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    const paged = await activeCell()
    await page.keyboard.press('ArrowUp')
    await page.keyboard.press('ArrowUp')
    const chosen = await activeCell()
    expect(chosen).toBe(paged - 2 * columns)
    const label = await page.locator(`[data-cell="${chosen}"]`).getAttribute('aria-label')

    // The keyboard focus ring on the active cell, for the README and at both window sizes.
    await grid.scrollIntoViewIfNeeded()
    const gallery = page.locator('.gallery')
    await gallery.screenshot({ path: join(screenshotDir, 'keyboard-gallery-1440.png') })
    copyFileSync(
      join(screenshotDir, 'keyboard-gallery-1440.png'),
      join(docs, 'screenshot-keyboard-gallery.png')
    )
    await page.setViewportSize({ width: 1280, height: 720 })
    await grid.scrollIntoViewIfNeeded()
    // The narrower window reflows the rows; the active cell stays in view and keeps its ring.
    await expect.poll(() => page.locator(`[data-cell="${chosen}"]`).isVisible()).toBe(true)
    await gallery.screenshot({ path: join(screenshotDir, 'keyboard-gallery-1280.png') })

    await page.keyboard.press('Enter')
    const viewer = page.locator('[data-viewer]')
    await viewer.waitFor()
    expect((await focused(page)).inDialog).not.toBeNull()
    expect(label).toContain((await viewer.locator('[data-viewer-class]').textContent())!)
    await shot(page, 'keyboard-viewer-1280')
    // Focus stays in the viewer however often Tab is pressed.
    for (let i = 0; i < 5; i++) await page.keyboard.press('Tab')
    expect((await focused(page)).inDialog).not.toBeNull()
    await page.keyboard.press('Escape')
    await expect.poll(() => viewer.count()).toBe(0)
    const back = await focused(page)
    expect(back.attr['data-gallery']).toBeDefined()
    expect(await activeCell()).toBe(chosen)

    await page.keyboard.press('Tab')
    const after = await focused(page)
    expect(after.inGallery).toBe(false)
    expect(after.tag).not.toBe('body')
    await page.setViewportSize({ width: 1440, height: 900 })
  })

  it('switches tabs with the arrow keys, dedupes, lists overflowing tabs and keeps them over a reload', async () => {
    await page.click('[data-section="runs"]')
    const rows = page.locator('[data-run]')
    await rows.first().waitFor()
    const tabs = page.locator('[role="tab"]')
    for (let i = 0; i < 8; i++) {
      await page.click('[data-section="runs"]')
      await rows.nth(i).click()
      await expect.poll(() => tabs.count()).toBe(i + 1)
    }
    // The same run again focuses its tab instead of opening another.
    await page.click('[data-section="runs"]')
    await rows.nth(2).click()
    expect(await tabs.count()).toBe(8)
    const third = await tabs.nth(2).getAttribute('data-tab')
    expect(await page.locator('[role="tab"][aria-selected="true"]').getAttribute('data-tab')).toBe(
      third
    )

    // One tab stop: only the selected tab is in the tab order.
    expect(await page.locator('[role="tab"][tabindex="0"]').count()).toBe(1)
    await page.focus('[role="tab"][tabindex="0"]')
    await page.keyboard.press('ArrowRight')
    const fourth = await tabs.nth(3).getAttribute('data-tab')
    expect((await focused(page)).attr['data-tab']).toBe(fourth)
    expect(await tabs.nth(3).getAttribute('aria-selected')).toBe('true')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowLeft')
    expect((await focused(page)).attr['data-tab']).toBe(await tabs.nth(1).getAttribute('data-tab'))
    await page.keyboard.press('End')
    expect((await focused(page)).attr['data-tab']).toBe(await tabs.nth(7).getAttribute('data-tab'))
    await page.keyboard.press('ArrowRight') // wraps around
    expect((await focused(page)).attr['data-tab']).toBe(await tabs.nth(0).getAttribute('data-tab'))
    await expect.poll(() => page.locator('[data-run-tab]').count()).toBe(1)

    // Delete closes the focused tab and leaves the keyboard on its neighbour.
    const closing = await tabs.nth(0).getAttribute('data-tab')
    await page.keyboard.press('Delete')
    expect(await tabs.count()).toBe(7)
    expect(await page.locator(`[data-tab="${closing}"]`).count()).toBe(0)
    expect((await focused(page)).attr.role).toBe('tab')

    // A comparison of the same runs is one tab.
    await page.click('[data-section="runs"]')
    await rows.nth(0).locator('input[type="checkbox"]').check()
    await rows.nth(1).locator('input[type="checkbox"]').check()
    await page.click('[data-action="compare"]')
    await page.click('[data-section="runs"]')
    await page.click('[data-action="compare"]')
    await expect.poll(() => page.locator('[role="tab"][data-tab^="compare:"]').count()).toBe(1)

    // Too many to fit at 1280 px: the menu says so and lists every tab.
    await page.setViewportSize({ width: 1280, height: 720 })
    const menuButton = page.locator('[data-tab-menu]')
    await expect.poll(() => menuButton.getAttribute('class')).toContain('overflowing')
    const count = await tabs.count()
    expect(count).toBe(8)
    for (const [width, height] of [
      [1280, 720],
      [1440, 900]
    ]) {
      await page.setViewportSize({ width, height })
      await menuButton.focus()
      await page.keyboard.press('Enter')
      await page.locator('[role="menu"]').waitFor()
      expect(await page.locator('[data-menu-tab]').count()).toBe(count)
      await shot(page, `keyboard-tab-overflow-${width}`)
      expect(await seriousViolations(page)).toEqual([])
      await page.keyboard.press('Escape')
      await expect.poll(() => page.locator('[role="menu"]').count()).toBe(0)
      expect((await focused(page)).attr['data-tab-menu']).toBeDefined()
    }
    // Choose the first tab from the menu with the keyboard.
    await page.keyboard.press('Enter')
    await page.keyboard.press('Home')
    await page.keyboard.press('Enter')
    const first = await tabs.nth(0).getAttribute('data-tab')
    expect(await tabs.nth(0).getAttribute('aria-selected')).toBe('true')
    expect((await focused(page)).attr['data-tab']).toBe(first)
    // Titles are cut with an ellipsis, but the whole title is in the tab's name and tooltip.
    const name = await tabs.nth(0).getAttribute('aria-label')
    expect(await tabs.nth(0).getAttribute('title')).toContain(name!)

    // A reload keeps the open tabs and the active one.
    const keys = await tabs.evaluateAll((els) => els.map((e) => e.getAttribute('data-tab')))
    await page.reload()
    await tabs.first().waitFor()
    expect(await tabs.evaluateAll((els) => els.map((e) => e.getAttribute('data-tab')))).toEqual(
      keys
    )
    expect(await page.locator('[role="tab"][aria-selected="true"]').getAttribute('data-tab')).toBe(
      first
    )

    await menuButton.click()
    await page.click('[data-action="close-other-tabs"]')
    expect(await tabs.count()).toBe(1)
    await menuButton.click()
    await page.click('[data-action="close-all-tabs"]')
    expect(await tabs.count()).toBe(0)
    await page.setViewportSize({ width: 1440, height: 900 })
  })

  it('moves through the runs table as one tab stop: arrows, Home/End, Space ticks, Enter opens', async () => {
    await page.click('[data-section="runs"]')
    const rows = page.locator('.rt-body-row')
    await rows.first().waitFor()
    // One row in the tab order however many runs there are; checkboxes and tags are not stops.
    expect(await page.locator('.rt-body-row[tabindex="0"]').count()).toBe(1)
    expect(
      await page
        .locator('.rt-body-row input[tabindex="0"], .rt-body-row input:not([tabindex])')
        .count()
    ).toBe(0)
    await page.focus('.rt-body-row[tabindex="0"]')
    const firstRun = (await focused(page)).attr['data-run']
    await page.keyboard.press('ArrowDown')
    const second = await focused(page)
    expect(second.attr['role']).toBe('row')
    expect(second.attr['data-run']).not.toBe(firstRun)
    expect(second.attr.tabindex).toBe('0')
    await page.keyboard.press('End')
    const last = await rows.last().getAttribute('data-run')
    expect((await focused(page)).attr['data-run']).toBe(last)
    await page.keyboard.press('Home')
    expect((await focused(page)).attr['data-run']).toBe(firstRun)
    // Space ticks the row for comparison; one Tab leaves the table.
    await page.keyboard.press('Space')
    expect(await rows.first().getAttribute('aria-selected')).toBe('true')
    await page.keyboard.press('Space')
    await page.keyboard.press('Tab')
    expect((await focused(page)).attr.role).not.toBe('row')
    // Back in with Shift+Tab lands on the same row, and Enter opens it in a tab.
    await page.keyboard.press('Shift+Tab')
    expect((await focused(page)).attr['data-run']).toBe(firstRun)
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator(`[data-run-tab]`).count()).toBe(1)
  })

  it('opens the new-run dialog with focus inside, traps Tab, closes on Escape and confirms Stop', async () => {
    await page.click('[data-section="datasets"]')
    await page.locator('[data-dataset-item]', { hasText: 'clothes' }).click()
    const open = page.locator('[data-action="train-classifier"]')
    await open.focus()
    await page.keyboard.press('Enter')
    const dialog = page.locator('[data-dialog="new-run"]')
    await dialog.waitFor()
    expect((await focused(page)).inDialog).toBe('new-run')
    for (let i = 0; i < 60; i++) await page.keyboard.press('Tab')
    expect((await focused(page)).inDialog).toBe('new-run')
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.count()).toBe(0)
    expect((await focused(page)).attr['data-action']).toBe('train-classifier')

    await open.click()
    await dialog.locator('input[data-field="name"]').fill('long run to stop')
    await dialog.locator('[data-field="epochs"] input').fill('200')
    await dialog.locator('[data-field="batchSize"] input').fill('32')
    await dialog.locator('[data-action="start-run"]').click()
    const stop = page.locator('[data-action="stop-run"]')
    await stop.waitFor()

    // Stop asks first, in the app's own dialog, focused on Cancel; Escape keeps the run going.
    await stop.click()
    const confirm = page.locator('[data-dialog="confirm"]')
    await confirm.waitFor()
    expect((await focused(page)).attr['data-confirm-cancel']).toBeDefined()
    expect(await confirm.textContent()).toContain('last checkpoint is kept')
    await shot(page, 'keyboard-stop-confirm-1440')
    expect(await seriousViolations(page)).toEqual([])
    await page.keyboard.press('Escape')
    await expect.poll(() => confirm.count()).toBe(0)
    expect((await focused(page)).attr['data-action']).toBe('stop-run')
    expect(await page.locator('[data-run-tab]').getAttribute('data-status')).toMatch(
      /queued|running/
    )

    await stop.click()
    await confirm.locator('[data-confirm-ok]').click()
    await page.locator('[data-run-tab][data-status="stopped"]').waitFor({ timeout: 60_000 })
  }, 120_000)
})
