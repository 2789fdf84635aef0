import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

  it.runIf(existsSync('/usr/share/datasets/fashion-mnist'))(
    'imports Fashion-MNIST by path and scrolls its 70,000-image gallery',
    async () => {
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
      await expect.poll(() => preview.locator('canvas').count()).toBe(32) // 4 images × (original + 7 copies)
      await preview.screenshot({ path: join(screenshotDir, 'dataset-augment-preview.png') })
      const scroller = page.locator('[data-gallery]')
      await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight))
      await expect
        .poll(() => page.locator('[data-image="69999"]').count(), { timeout: 10_000 })
        .toBe(1)
      expect(await page.locator('[data-image]').count()).toBeLessThan(400) // only what is on screen exists
      await shot(page, 'dataset-fashion-mnist-end')
    }
  )
})
