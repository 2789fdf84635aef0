/**
 * Comparing generators in real Chromium against `dgmw serve`: two classifiers and two small
 * generators (a DCGAN measured by one classifier, a VAE by the other) trained through the CLI on
 * real Fashion-MNIST clothes; the compare tab shows each family's rows, the evaluator behind every
 * score, a warning while the evaluators differ, and measures both with one evaluator in one click.
 * The runs table lists FD with its evaluator and hides columns from a keyboard-usable chooser that
 * a reload remembers.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFashionSubset } from '../helpers/fashionSubset'
import { tempDir } from '../helpers/tempDir'
import { launchChromium, screenshotDir, serve, type Served } from './browserMode'

const bin = join(__dirname, '../../bin/dgmw.cjs')
const docs = join(__dirname, '../../docs')

/**
 * Serious and critical accessibility violations inside `region` as it is now (axe-core in
 * Chromium). The status badge and the tab strip are the shell's, checked by its own tests.
 */
async function seriousViolations(page: Page, region: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).include(region).exclude('.badge').analyze()
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

describe('comparing generators in browser mode', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served
  let page: Page
  const ids = { evaluatorA: 0, evaluatorB: 0, dcgan: 0, vae: 0 }

  /** `dgmw train … --json` on the test's data folder; the new run's id. */
  const train = (home: string, args: string[]): number => {
    const r = spawnSync(
      process.execPath,
      [bin, 'train', '--dataset', 'clothes', '--data-dir', home, '--json', ...args],
      { encoding: 'utf8', env: { ...process.env, DGMW_BACKEND: 'wasm' }, timeout: 300_000 }
    )
    expect(r.status, r.stderr).toBe(0)
    return (JSON.parse(r.stdout) as { run: { id: number } }).run.id
  }

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true })
    dir = tempDir('dgmw-e2e-compare-generators-')
    const folder = join(dir.path, 'clothes')
    // Fails (rather than skips) without Fashion-MNIST: writeFashionSubset reads it.
    await writeFashionSubset(folder, 30)
    const home = join(dir.path, 'home')
    const imported = spawnSync(
      process.execPath,
      [bin, 'import', folder, '--name', 'clothes', '--seed', '1', '--data-dir', home],
      { encoding: 'utf8' }
    )
    expect(imported.status, imported.stderr).toBe(0)
    ids.evaluatorA = train(home, ['--epochs', '2', '--batch-size', '32', '--name', 'evaluator A'])
    ids.evaluatorB = train(home, [
      ...['--epochs', '1', '--batch-size', '32', '--seed', '7', '--name', 'evaluator B']
    ])
    const small = ['--epochs', '1', '--batch-size', '32', '--width', '16', '--snapshots', '1']
    const scores = ['--score-samples', '200']
    ids.dcgan = train(home, [
      ...['--recipe', 'dcgan', ...small, ...scores, '--evaluator', String(ids.evaluatorA)],
      ...['--name', 'short dcgan']
    ])
    ids.vae = train(home, [
      ...['--recipe', 'vae', ...small, ...scores, '--evaluator', String(ids.evaluatorB)],
      ...['--name', 'short vae']
    ])
    browser = await launchChromium()
    served = await serve(home)
    // A page of its own context: axe-core's runner needs one.
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage()
    await page.goto(served.url)
    await page.click('[data-section="runs"]')
    await page.locator('[data-table="runs"] [data-run]').first().waitFor()
  }, 600_000)
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir?.cleanup()
  })

  const headline = (): ReturnType<Page['locator']> => page.locator('[data-compare="headline"]')
  const row = (metric: string): ReturnType<Page['locator']> =>
    headline().locator(`tr[data-metric="${metric}"]`)

  it('lists FD with its evaluator in a runs table that fits 1440 px', async () => {
    const fd = page.locator(`[data-run="${ids.dcgan}"] [data-col="fd"]`)
    expect(await fd.textContent()).toMatch(new RegExp(`^\\s*\\d+\\.\\d\\s*#${ids.evaluatorA}\\s*$`))
    expect(
      (await page.locator(`[data-run="${ids.evaluatorA}"] [data-col="fd"]`).textContent())?.trim()
    ).toBe('—')
    // Every column shows without scrolling sideways.
    const scroller = page.locator('[data-table="runs"]')
    const [scrollWidth, clientWidth] = await scroller.evaluate((el) => [
      el.scrollWidth,
      el.clientWidth
    ])
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth)
    await page.screenshot({ path: join(screenshotDir, 'compare-runs-table-1440.png') })
  })

  it('hides a column from the keyboard, and a reload remembers it', async () => {
    await page.locator('[data-action="choose-columns"]').focus()
    await page.keyboard.press('Enter')
    const notes = page.locator('[data-column-chooser] input[data-column="notes"]')
    // Focus starts on the first box; Tab walks to Notes, Space unticks it.
    const boxes = await page.locator('[data-column-chooser] input').count()
    for (let i = 0; i < boxes; i++) {
      if (await notes.evaluate((el) => el === document.activeElement)) break
      await page.keyboard.press('Tab')
    }
    await page.keyboard.press('Space')
    expect(await notes.isChecked()).toBe(false)
    await page.screenshot({ path: join(screenshotDir, 'compare-column-chooser.png') })
    expect(await seriousViolations(page, '.run-table')).toEqual([])
    await page.keyboard.press('Escape')
    await expect.poll(() => page.locator('[data-column-chooser]').count()).toBe(0)
    expect(
      await page
        .locator('[data-action="choose-columns"]')
        .evaluate((el) => el === document.activeElement)
    ).toBe(true)
    await expect.poll(() => page.locator('[data-sort="notes"]').count()).toBe(0)
    await page.reload()
    await page.click('[data-section="runs"]')
    await page.locator('[data-table="runs"] [data-run]').first().waitFor()
    expect(await page.locator('[data-sort="notes"]').count()).toBe(0)
    expect(await page.locator('[data-action="choose-columns"]').textContent()).toContain('1 hidden')
  })

  it('compares the generators by their own rows, naming each evaluator and warning that they differ', async () => {
    await page.locator(`[data-run="${ids.dcgan}"] input[type="checkbox"]`).check()
    await page.locator(`[data-run="${ids.vae}"] input[type="checkbox"]`).check()
    await page.click('[data-action="compare"]')
    await headline().waitFor()
    for (const metric of [
      'fd',
      'fdUntrained',
      'classifierScore',
      'reconstruction',
      'kl',
      'dLoss',
      'gLoss',
      'evaluator'
    ])
      expect(await row(metric).count(), metric).toBe(1)
    for (const metric of ['valAccuracy', 'valLoss', 'testAccuracy', 'trainAccuracy'])
      expect(await row(metric).count(), metric).toBe(0)
    // A VAE has no D loss: "n/a", not a number or a blank.
    expect(await row('dLoss').locator('td').nth(1).textContent()).toContain('n/a')
    const evaluators = await row('evaluator').locator('td').allTextContents()
    expect(evaluators.map((t) => t.trim())).toEqual([
      `classifier run #${ids.evaluatorA}`,
      `classifier run #${ids.evaluatorB}`
    ])
    // Scores from different classifiers: warned, never crowned "best", charted apart.
    const warning = page.locator('[data-evaluator-warning]')
    expect(await warning.textContent()).toContain('do not compare')
    expect(await row('fd').locator('td[data-best]').count()).toBe(0)
    await page.locator(`[data-compare-chart="score/fd@${ids.evaluatorA}"] canvas`).first().waitFor()
    await page.locator(`[data-compare-chart="score/fd@${ids.evaluatorB}"] canvas`).first().waitFor()
    // Their own loss curves instead of a classifier's validation loss.
    expect(await page.locator('[data-compare-chart="val/loss"]').count()).toBe(0)
    expect(await page.textContent('[data-compare-tab]')).not.toContain('No run has')
    await page.locator('[data-compare-chart="d/loss"] canvas').first().waitFor()
    await page.locator('[data-compare-chart="loss"] canvas').first().waitFor()
    // Any other score picked onto one axis carries the warning; FD is not offered there at all.
    const others = page.locator('select[data-compare-series]')
    expect(await others.locator('option[value="score/fd"]').count()).toBe(0)
    await others.selectOption('score/classifier_score')
    expect(await page.textContent('[data-chart-warning]')).toContain('different classifiers')
    // The config diff says which classifier measured each.
    const diff = page.locator('[data-compare="config"] tr[data-config-key="evaluator"]')
    expect(await diff.getAttribute('data-differs')).toBe('true')
    // A generator trained for a handful of steps is flagged, with what to try.
    const flag = page.locator('[data-compare="evaluators"] [data-worse-than-untrained]').first()
    expect(await flag.textContent()).toMatch(/Train longer.*at least \d+ steps/)
    expect(await seriousViolations(page, '[data-compare-tab]')).toEqual([])
    await page.screenshot({
      path: join(screenshotDir, 'compare-generators-mixed-1440.png'),
      fullPage: true
    })
  })

  it('measures both with one evaluator in one click, and the warning goes', async () => {
    await page.locator('[data-measure-evaluator]').selectOption(String(ids.evaluatorA))
    const button = page.locator('[data-action="measure-all"]')
    expect(await button.textContent()).toContain(`Measure all with evaluator #${ids.evaluatorA}`)
    await button.click()
    await expect
      .poll(() => page.locator('[data-evaluator-warning]').count(), { timeout: 180_000 })
      .toBe(0)
    await expect
      .poll(async () =>
        (await row('evaluator').locator('td').allTextContents()).map((t) => t.trim())
      )
      .toEqual([`classifier run #${ids.evaluatorA}`, `classifier run #${ids.evaluatorA}`])
    // Now one axis holds both: the FD chart of evaluator A has both runs.
    await page.locator(`[data-compare-chart="score/fd@${ids.evaluatorA}"] canvas`).first().waitFor()
    await page.screenshot({
      path: join(screenshotDir, 'compare-generators-1440.png'),
      fullPage: true
    })
    const charts = page.locator('[data-compare-chart]').first()
    await charts.scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(screenshotDir, 'compare-generators-charts-1440.png') })
    await page.setViewportSize({ width: 1280, height: 720 })
    await page.screenshot({
      path: join(screenshotDir, 'compare-generators-1280.png'),
      fullPage: true
    })
    await charts.scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(screenshotDir, 'compare-generators-charts-1280.png') })
    // The README's picture: rows, evaluators, flags and the first charts in one view.
    await page.setViewportSize({ width: 1440, height: 1260 })
    await page.locator('[data-compare-tab] h1').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(docs, 'screenshot-compare-generators.png') })
    await page.setViewportSize({ width: 1440, height: 900 })
  }, 240_000)

  it('flags the short generator in its scores card, and offers "Measure again" once measured', async () => {
    await page.locator('[data-compare-tab] .legend button', { hasText: 'short dcgan' }).click()
    const card = page.locator('[data-scores]')
    await card.waitFor()
    expect(await card.locator('[data-worse-than-untrained]').textContent()).toMatch(
      /No better than the untrained generator.*Train longer/
    )
    expect(await card.locator('[data-action="measure"]').textContent()).toContain('Measure again')
    await card.scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(screenshotDir, 'compare-scores-card-1440.png') })
    await page.setViewportSize({ width: 1280, height: 720 })
    await card.scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(screenshotDir, 'compare-scores-card-1280.png') })
  })

  it("shows a classifier's misclassification labels whole, wrapped rather than cut", async () => {
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.click('[data-section="runs"]')
    await page.locator(`[data-run="${ids.evaluatorA}"]`).click()
    const gallery = page.locator('[data-gallery="Most confidently wrong"]')
    const names = gallery.locator('[data-prediction-names]')
    await names.first().waitFor({ timeout: 30_000 })
    expect(await names.first().textContent()).toContain('→')
    for (const width of [1440, 1280]) {
      await page.setViewportSize({ width, height: width === 1440 ? 900 : 720 })
      const cut = await names.evaluateAll((els) =>
        els.map((el) => el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight)
      )
      expect(cut.length).toBeGreaterThan(0)
      expect(cut.every((c) => !c)).toBe(true)
      await gallery.scrollIntoViewIfNeeded()
      await page.screenshot({ path: join(screenshotDir, `compare-misclassified-${width}.png`) })
    }
  })
})
