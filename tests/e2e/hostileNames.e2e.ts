/**
 * Folder, file and run names are a researcher's (or whoever made the folder they downloaded):
 * names written like HTML must show as text everywhere the UI prints them — dataset list, class
 * histogram, cleaning report, gallery, runs table, confusion matrix and its ECharts tooltip.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classificationReport } from '../../main/runs/evaluation'
import { databaseFileName } from '../../main/platform/dataDir'
import { openRunStore } from '../../main/store/runStore'
import { tempDir } from '../helpers/tempDir'
import { launchChromium, screenshotDir, serve, type Served } from './browserMode'

const bin = join(__dirname, '../../bin/dgmw.cjs')
/** Each sets a global if the browser ever ran it as markup. */
const classes = ['<img src=x onerror=window.__pwned=1>', '<svg onload=window.__pwned=2>']
const runName = '<img src=y onerror=window.__pwned=3> run'

/** Every way the names could have become elements, or run. */
const injected = (page: Page): Promise<unknown> =>
  page.evaluate(() => ({
    pwned: (window as { __pwned?: number }).__pwned ?? null,
    elements: document.querySelectorAll('img[src="x"], img[src="y"], svg[onload]').length
  }))

describe('names written like HTML', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served
  let page: Page

  beforeAll(async () => {
    dir = tempDir('dgmw-e2e-hostile-')
    const folder = join(dir.path, 'folder')
    for (const [c, name] of classes.entries()) {
      mkdirSync(join(folder, name), { recursive: true })
      for (let i = 0; i < 4; i++)
        await sharp({
          create: { width: 16, height: 16, channels: 3, background: { r: 90 * c, g: 40 * i, b: 9 } }
        })
          .png()
          .toFile(join(folder, name, `<b onclick=window.__pwned=4>${i}.png`))
    }
    writeFileSync(join(folder, classes[0], '<i>broken</i>.png'.replace('/', '')), 'not a png')
    const home = join(dir.path, 'home')
    const imported = spawnSync(process.execPath, [bin, 'import', folder, '--data-dir', home], {
      encoding: 'utf8'
    })
    expect(imported.status, imported.stderr).toBe(0)
    // A finished run of those classes, its confusion matrix as the evaluation stores it.
    const store = openRunStore(join(home, databaseFileName))
    const runId = store.runs.create({ recipe: 'classifier', seed: 1, config: {}, name: runName })
    store.runs.setStatus(runId, 'completed')
    const truth = [0, 0, 0, 1, 1, 1]
    const predicted = [0, 0, 1, 1, 1, 0]
    store.results.saveEvaluation(
      {
        runId,
        split: 'test',
        loss: 0.5,
        createdAt: new Date().toISOString(),
        ...classificationReport(classes, truth, predicted)
      },
      truth.map((label, idx) => ({ idx, label, predicted: predicted[idx], confidence: 0.9 }))
    )
    store.close()
    browser = await launchChromium()
    served = await serve(home)
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } })
    await page.goto(served.url)
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir?.cleanup()
  })

  it('shows them as text in the dataset view, its report and gallery', async () => {
    await page.click('[data-dataset-item="1"]')
    await page.locator('[data-dataset="1"]').waitFor()
    const report = page.locator('[data-report]')
    await report.waitFor()
    expect(await report.textContent()).toContain('<i>broken<i>.png')
    await page.locator('[data-image]').first().waitFor()
    expect(await page.locator('body').textContent()).toContain(classes[0])
    expect(await injected(page)).toEqual({ pwned: null, elements: 0 })
  })

  it('shows them as text in the runs table, the confusion matrix and its tooltip', async () => {
    await page.click('[data-section="runs"]')
    const row = page.locator('[data-run]').first()
    expect(await row.textContent()).toContain(runName)
    await row.click()
    const matrix = page.locator('[data-confusion]')
    await matrix.waitFor()
    await matrix.locator('canvas').first().scrollIntoViewIfNeeded()
    // Sweep the pointer over the heatmap so ECharts builds a tooltip for every cell.
    const box = (await matrix.locator('canvas').first().boundingBox())!
    const tooltips = new Set<string>()
    for (let y = 0.05; y < 1; y += 0.1)
      for (let x = 0.05; x < 1; x += 0.1) {
        await page.mouse.move(box.x + box.width * x, box.y + box.height * y)
        const text = await matrix.evaluate((m) =>
          [...m.querySelectorAll('div')]
            .filter((d) => getComputedStyle(d).position === 'absolute' && d.textContent)
            .map((d) => d.textContent!)
            .join('|')
        )
        if (text.includes('→') || text.includes('correct')) tooltips.add(text)
      }
    expect([...tooltips].some((t) => t.includes(`${classes[0]} → ${classes[1]}`))).toBe(true)
    // The screenshot shows one tooltip: the top-right cell (true class 0 predicted as class 1).
    await page.mouse.move(
      box.x + 110 + (box.width - 126) * 0.75,
      box.y + 12 + (box.height - 108) * 0.25
    )
    await page.waitForTimeout(500) // the tooltip fades in
    await page.screenshot({ path: join(screenshotDir, 'hostile-names.png') })
    expect(await injected(page)).toEqual({ pwned: null, elements: 0 })
  })
})
