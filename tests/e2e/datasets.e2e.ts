import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { databaseFileName } from '../../main/platform/dataDir'
import { openRunStore } from '../../main/store/runStore'
import { tempDir } from '../helpers/tempDir'
import { launchChromium, screenshotDir, serve, type Served } from './browserMode'

const shot = (page: Page, name: string): Promise<Buffer> =>
  page.screenshot({ path: join(screenshotDir, `${name}.png`) })

/** A small real ImageFolder a researcher might drop: three classes, one broken file, one stray note. */
async function writeSmallFolder(root: string): Promise<void> {
  const colours: Record<string, [number, number, number]> = {
    circle: [220, 60, 60],
    square: [60, 160, 60],
    triangle: [60, 90, 220]
  }
  for (const [cls, rgb] of Object.entries(colours)) {
    mkdirSync(join(root, cls), { recursive: true })
    for (let i = 0; i < 6; i++) {
      await sharp({
        create: {
          width: 48,
          height: 48,
          channels: 3,
          background: { r: rgb[0], g: rgb[1] - i * 8, b: rgb[2] + i * 4 }
        }
      })
        .png()
        .toFile(join(root, cls, `${cls}-${i}.png`))
    }
  }
  writeFileSync(
    join(root, 'square', 'broken.jpg'),
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 1, 2, 3])
  )
  writeFileSync(join(root, 'README.txt'), 'shapes dataset')
}

describe('datasets in browser mode', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served
  let page: Page

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true })
    dir = tempDir('dgmw-e2e-data-')
    await writeSmallFolder(join(dir.path, 'shapes'))
    browser = await launchChromium()
    served = await serve(join(dir.path, 'home'))
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
    await page.goto(served.url)
  })
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir.cleanup()
  })

  it('uploads a chosen folder, shows progress, the cleaning report, the histogram and the gallery', async () => {
    await page.getByText('Drop an image folder here').waitFor()
    await page.setInputFiles('[data-folder-input]', join(dir.path, 'shapes'))
    const progress = page.locator('[data-import-progress]')
    await expect
      .poll(() => progress.textContent(), { timeout: 30_000 })
      .toContain('Imported shapes')
    await page.locator('[data-dataset="1"]').waitFor()
    const report = page.locator('[data-report]')
    expect(await report.locator('[data-skipped]').count()).toBe(2)
    expect(await report.textContent()).toContain('square/broken.jpg')
    expect(await report.textContent()).toContain('README.txt')
    await page.locator('[data-chart="class-histogram"] canvas').waitFor()
    await page.locator('[data-image]').first().waitFor()
    expect(await page.locator('[data-image]').count()).toBe(18)
    await shot(page, 'dataset-imported')

    await page.selectOption('[data-filter="class"]', { label: 'triangle' })
    await expect.poll(() => page.locator('[data-gallery-count]').textContent()).toBe('6 images')
    await page.locator('[data-image]').first().click()
    const viewer = page.getByRole('dialog', { name: 'Image' })
    expect(await viewer.locator('[data-viewer-class]').textContent()).toBe('triangle')
    expect(await viewer.locator('[data-viewer-path]').textContent()).toMatch(
      /^triangle\/triangle-\d\.png$/
    )
    await shot(page, 'dataset-image-viewer')
    await page.keyboard.press('Escape') // the viewer has focus, so Escape closes it
    await expect.poll(() => viewer.count()).toBe(0)
  })

  it('imports files dropped onto the view', async () => {
    const png = (
      await sharp({ create: { width: 20, height: 20, channels: 3, background: '#888' } })
        .png()
        .toBuffer()
    ).toString('base64')
    await page.evaluate(async (data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0))
      const transfer = new DataTransfer()
      for (let i = 0; i < 3; i++)
        transfer.items.add(
          new File([bytes, new Uint8Array([i])], `grey-${i}.png`, { type: 'image/png' })
        )
      const target = document.querySelector('.datasets')!
      target.dispatchEvent(
        new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true })
      )
      target.dispatchEvent(
        new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true })
      )
    }, png)
    await expect
      .poll(() => page.locator('[data-import-progress]').textContent(), { timeout: 30_000 })
      .toContain('Imported dropped files')
    await page.locator('[data-dataset="2"]').waitFor()
    expect(await page.locator('[data-dataset="2"]').textContent()).toContain('3 images')
  })

  it('imports Fashion-MNIST by path and scrolls its 70,000-image gallery', async () => {
    await page.fill('[data-import-path]', '/usr/share/datasets/fashion-mnist')
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    await expect
      .poll(() => page.locator('[data-import-progress]').textContent(), { timeout: 60_000 })
      .toContain('Imported fashion-mnist')
    await expect
      .poll(() => page.locator('[data-gallery-count]').textContent())
      .toBe('70,000 images')
    await page.locator('[data-image]').first().waitFor()
    await shot(page, 'dataset-fashion-mnist')
    const preview = page.locator('[data-augment-preview]')
    await preview.scrollIntoViewIfNeeded()
    await expect.poll(() => preview.locator('canvas').count()).toBe(48) // 6 classes × (original + 7 copies)
    await preview.screenshot({ path: join(screenshotDir, 'dataset-augment-preview.png') })
    const scroller = page.locator('[data-gallery]')
    await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight))
    await expect
      .poll(() => page.locator('[data-image="69999"]').count(), { timeout: 10_000 })
      .toBe(1)
    expect(await page.locator('[data-image]').count()).toBeLessThan(400) // only what is on screen exists
    await shot(page, 'dataset-fashion-mnist-end')
  })
})

/** Shoots the page at both sizes the README's views are checked at. */
async function shootBoth(page: Page, name: string): Promise<void> {
  for (const [width, height] of [
    [1440, 900],
    [1280, 720]
  ]) {
    await page.setViewportSize({ width, height })
    await page.screenshot({ path: join(screenshotDir, `${name}-${width}x${height}.png`) })
  }
}

describe('managing datasets in browser mode', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served
  let page: Page
  let shapes: string

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true })
    dir = tempDir('dgmw-e2e-manage-')
    shapes = join(dir.path, 'shapes')
    await writeSmallFolder(shapes)
    browser = await launchChromium()
    served = await serve(join(dir.path, 'home'))
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.goto(served.url)
  })
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir.cleanup()
  })

  const progress = () => page.locator('[data-import-progress]')
  const importByPath = async (path: string): Promise<void> => {
    await page.fill('[data-import-path]', path)
    await page.locator('[data-import-path]').press('Enter')
  }

  it('refuses a relative path, saying where it would resolve, and clears the error on typing', async () => {
    await page.getByText('Drop an image folder here').waitFor()
    await importByPath('shapes')
    await expect
      .poll(() => progress().textContent())
      .toMatch(/"shapes" is relative; it would resolve to \/.*\/shapes — give the full path/)
    await page.locator('[data-import-path]').press('End')
    await page.keyboard.type('/')
    await expect.poll(() => progress().count()).toBe(0)
  })

  it('asks before importing a folder twice: Escape cancels, then open it or import it again', async () => {
    await importByPath(shapes)
    await expect
      .poll(() => progress().textContent(), { timeout: 30_000 })
      .toContain('Imported shapes')
    await page.locator('[data-dataset="1"]').waitFor()

    await importByPath(shapes)
    const prompt = page.getByRole('dialog', { name: 'Already imported' })
    await prompt.waitFor()
    expect(await prompt.textContent()).toContain(`${shapes} is already dataset “shapes” (18 images`)
    // The safe answer has the focus: Enter opens what is there, it never imports again.
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe(
      'Open “shapes”'
    )
    await shootBoth(page, 'datasets-reimport-prompt')
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.keyboard.press('Escape')
    await expect.poll(() => prompt.count()).toBe(0)
    expect(await page.locator('[data-dataset-item]').count()).toBe(1)

    await page.locator('[data-dataset-item="1"]').click()
    await page.locator('[data-section="runs"]').click()
    await page.locator('[data-section="datasets"]').click()
    await importByPath(shapes)
    await page.locator('[data-action="reimport"]').click()
    await expect
      .poll(() => progress().textContent(), { timeout: 30_000 })
      .toContain('Imported shapes')
    await page.locator('[data-dataset="2"]').waitFor()
    expect(await page.locator('[data-dataset-item="2"]').textContent()).toContain('shapes (2)')

    await page.locator('[data-dataset-item="1"]').click()
    await page.locator('[data-dataset="1"]').waitFor()
    await importByPath(shapes)
    await prompt.waitFor()
    // The newest import of the folder is the one offered.
    expect(await prompt.textContent()).toContain('already dataset “shapes (2)”')
    await page.keyboard.press('Enter') // "Open …", focused
    await expect.poll(() => prompt.count()).toBe(0)
    await page.locator('[data-dataset="2"]').waitFor()
    expect(await page.locator('[data-dataset-item]').count()).toBe(2)
    await page.locator('[data-dataset-item="1"]').click()
    await page.locator('[data-dataset="1"]').waitFor()
  })

  it('renames a dataset from the keyboard; Escape closes the dialog unchanged', async () => {
    const rename = page.locator('[data-action="rename-dataset"]')
    await rename.focus()
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog', { name: 'Rename dataset' })
    await dialog.waitFor()
    await page.keyboard.type('ignored')
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.count()).toBe(0)
    expect(await page.locator('[data-dataset="1"] h2').textContent()).toBe('shapes')
    // Focus goes back to the button that opened it.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-action'))).toBe(
      'rename-dataset'
    )

    await page.keyboard.press('Enter')
    await dialog.waitFor()
    await page.keyboard.type('shapes (2)') // the field starts selected: typing replaces it
    await page.keyboard.press('Enter')
    await expect
      .poll(() => dialog.locator('[role="alert"]').textContent())
      .toBe('Dataset 2 is already called "shapes (2)"; pick another name.')
    await page.fill('[data-rename-field]', 'toy shapes')
    expect(await dialog.locator('[role="alert"]').count()).toBe(0) // the stale error cleared
    await page.keyboard.press('Enter')
    await expect.poll(() => dialog.count()).toBe(0)
    await expect.poll(() => page.locator('[data-dataset="1"] h2').textContent()).toBe('toy shapes')
    expect(await page.locator('[data-dataset-item="1"]').textContent()).toContain('toy shapes')
  })

  it('deletes a dataset after asking; its runs stay and say the dataset is gone', async () => {
    // A finished run on the dataset, recorded as a training run records it.
    const store = openRunStore(join(dir.path, 'home', databaseFileName))
    const runId = store.runs.create({
      datasetId: 1,
      recipe: 'classifier',
      config: { epochs: 1 },
      seed: 1,
      status: 'completed'
    })
    store.runs.updateHeadline(runId, { testAccuracy: 0.75 })
    store.close()
    // Seeing another process's new run live is not this test's subject: reload to list it.
    await page.reload()
    await page.locator('[data-section="datasets"]').click()
    await page.locator('[data-dataset-item="1"]').click()

    await page.locator('[data-action="delete-dataset"]').click()
    const dialog = page.getByRole('dialog', { name: 'Delete “toy shapes”?' })
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain(`The original files in ${shapes} are not touched.`)
    expect(await dialog.locator('[data-delete-runs]').textContent()).toContain(
      'The run that used it keeps its results'
    )
    await shootBoth(page, 'datasets-delete-confirm')
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.keyboard.press('Enter') // Cancel has the focus: Enter does not delete
    await expect.poll(() => dialog.count()).toBe(0)
    expect(await page.locator('[data-dataset-item]').count()).toBe(2)
    await shootBoth(page, 'datasets-manage')
    await page.setViewportSize({ width: 1440, height: 900 })

    await page.locator('[data-action="delete-dataset"]').click()
    await dialog.locator('[data-action="confirm-delete"]').click()
    await expect.poll(() => page.locator('[data-dataset-item]').count()).toBe(1)
    expect(await page.locator('[data-dataset="1"]').count()).toBe(0)

    await page.locator('[data-section="runs"]').click()
    const row = page.locator(`[data-table="runs"] [data-run="${runId}"]`)
    await expect.poll(() => row.textContent()).toContain('toy shapes (deleted)')
    await row.click()
    await expect
      .poll(() => page.locator('.sub', { hasText: 'classifier on' }).first().textContent())
      .toContain('classifier on toy shapes (deleted)')
  })
})
