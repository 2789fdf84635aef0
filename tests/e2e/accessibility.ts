import AxeBuilder from '@axe-core/playwright'
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { writeFashionSubset } from '../helpers/fashionSubset'
import { tempDir } from '../helpers/tempDir'
import { screenshotDir } from './browserMode'

const bin = join(__dirname, '../../bin/dgmw.cjs')

/** Runs `dgmw ARGS --data-dir HOME` and expects it to succeed; returns its stdout. */
export function dgmwIn(home: string, args: string[]): string {
  const done = spawnSync(process.execPath, [bin, ...args, '--data-dir', home], {
    encoding: 'utf8',
    env: { ...process.env, DGMW_BACKEND: '' }
  })
  expect(done.status, `dgmw ${args.join(' ')}: ${done.stderr}`).toBe(0)
  return done.stdout
}

/**
 * A data directory with `perClass` real Fashion-MNIST images of every class imported as
 * "clothes" (fails, not skips, where Fashion-MNIST is missing).
 */
export async function fashionHome(
  prefix: string,
  perClass: number
): Promise<{ dir: ReturnType<typeof tempDir>; home: string }> {
  mkdirSync(screenshotDir, { recursive: true })
  const dir = tempDir(prefix)
  const folder = join(dir.path, 'clothes')
  await writeFashionSubset(folder, perClass)
  const home = join(dir.path, 'home')
  dgmwIn(home, ['import', folder, '--name', 'clothes', '--seed', '1'])
  return { dir, home }
}

export interface AxeFinding {
  id: string
  impact: string | null | undefined
  help: string
  targets: string[]
  /** axe's reason for the first element, e.g. the contrast ratio it measured. */
  why?: string
}

/**
 * The serious and critical WCAG 2.x A/AA (and best-practice) violations axe-core finds on the page
 * as it is now, with the elements at fault, so a failing test says what to fix.
 */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze()
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
      why: v.nodes[0]?.failureSummary
    }))
}

/** Where the focus is: enough of the active element to assert on. */
export function focused(page: Page): Promise<{
  tag: string
  inGallery: boolean
  inDialog: string | null
  text: string
  attr: Record<string, string>
}> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    const attr: Record<string, string> = {}
    for (const a of el?.attributes ?? []) attr[a.name] = a.value
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      inGallery: !!el?.closest('[data-gallery]'),
      inDialog:
        el?.closest('dialog')?.getAttribute('data-dialog') ??
        (el?.closest('dialog') ? 'dialog' : null),
      text: (el?.textContent ?? '').trim().slice(0, 80),
      attr
    }
  })
}
