/**
 * "Run on" a Slurm cluster from the UI, in real Chromium against `dgmw serve`, submitting to the
 * real one-node cluster of scripts/slurm-cluster.sh: a profile added through the profiles dialog
 * (opened from the new-run form, which offers only that link while there are none) and tested, a
 * tiny classifier run started on it whose Slurm job shows beside its status while it waits and
 * runs, then its result in the history like a local run's. Fails, never skips, without Slurm.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureSlurmCluster } from '../helpers/slurmCluster'
import { tempDir } from '../helpers/tempDir'
import { dgmwIn, fashionHome, focused, seriousViolations } from './accessibility'
import { launchChromium, screenshotDir, serve, type Served } from './browserMode'

const docs = join(__dirname, '../../docs')
const shotPath = (name: string): string => join(screenshotDir, `${name}.png`)

describe('running on a Slurm cluster from the UI', () => {
  let browser: Browser
  let dir: ReturnType<typeof tempDir>
  let served: Served
  let page: Page
  let shared: string
  let runId: number
  let homeDir: string

  beforeAll(async () => {
    // Before the server starts: it (and the sbatch/squeue it runs) must find this cluster.
    const conf = await ensureSlurmCluster()
    expect(process.env.SLURM_CONF).toBe(conf)
    let home: string
    ;({ dir, home } = await fashionHome('dgmw-e2e-slurm-', 40))
    homeDir = home
    // A local run beside the cluster one, as a history has.
    dgmwIn(home, [
      'train',
      '--dataset',
      'clothes',
      '--epochs',
      '1',
      '--batch-size',
      '32',
      '--name',
      'local cnn'
    ])
    shared = join(dir.path, 'shared')
    mkdirSync(shared)
    browser = await launchChromium()
    served = await serve(home) // inherits process.env, SLURM_CONF included
    // AxeBuilder needs a page of an explicit context.
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    page = await context.newPage()
    await page.goto(served.url)
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    dir?.cleanup()
  })

  const newRun = () => page.locator('[data-dialog="new-run"]')
  const profiles = () => page.locator('[data-dialog="slurm-profiles"]')

  it('adds and tests a profile from the new-run form, which offered only that link', async () => {
    await page.locator('[data-dataset-item]').first().click()
    await page.click('[data-action="train-classifier"]')
    const form = newRun()
    await form.locator('[data-action="add-slurm-profile"]').waitFor()
    expect(await form.locator('select[data-field="runOn"]').count()).toBe(0)
    await form.locator('[data-action="add-slurm-profile"]').click()

    const dialog = profiles()
    await dialog.waitFor()
    await dialog.locator('[data-no-profiles]').waitFor()
    // Focus moved into the dialog, on its first field.
    expect((await focused(page)).inDialog).toBe('slurm-profiles')
    expect((await focused(page)).attr['data-field']).toBe('name')

    // The contract's own objections, on their fields.
    await dialog.locator('input[data-field="name"]').fill('my cluster')
    await dialog.locator('[data-action="save-profile"]').click()
    await expect
      .poll(() => dialog.locator('[data-field-error]').allTextContents())
      .toEqual(expect.arrayContaining([expect.stringMatching(/letters, digits/)]))
    await dialog.locator('[data-form-errors]').waitFor()

    // The one-node cluster has 2 CPUs and a 60 min partition limit: the defaults (4 CPUs, 4 h)
    // would wait forever, so this profile asks for what the node has.
    await dialog.locator('input[data-field="name"]').fill('e2e')
    await dialog.locator('input[data-field="sharedFolder"]').fill(shared)
    await dialog.locator('[data-field="cpus"] input').fill('1')
    await dialog.locator('[data-field="memoryMiB"] input').fill('2048')
    await dialog.locator('[data-field="timeLimitMinutes"] input').fill('20')
    await dialog.locator('textarea[data-field="extraSbatch"]').fill('--comment=dgmw-e2e')
    await expect.poll(() => dialog.locator('[data-field-error]').count()).toBe(0)
    await dialog.locator('[data-action="save-profile"]').click()
    const row = dialog.locator('[data-profile="e2e"]')
    await row.waitFor()
    const cells = (await row.locator('th, td').allTextContents()).map((t) => t.trim())
    expect(cells).toEqual(['e2e', 'default', '0', '1', '2 GiB', '20 min', shared, 'Edit'])

    // Test: a busy state while the tiny job waits and runs, then where it ran and its version.
    await dialog.locator('[data-action="test-profile"]').click()
    await dialog.locator('[data-test-busy]').waitFor()
    const report = dialog.locator('[data-test-ok]')
    await report.waitFor({ timeout: 240_000 })
    const reportText = (await report.textContent()) ?? ''
    expect(await report.getAttribute('data-test-ok'), reportText).toBe('true')
    expect(reportText).toMatch(/Ran as job \d+(_\d+)? on \S+ in [\d.]+ s\./)
    expect(reportText).toMatch(/Node version \S+, this machine \S+ \(the same\)/)

    expect(await seriousViolations(page)).toEqual([])
    await dialog.screenshot({ path: shotPath('slurm-profiles') })

    // Escape closes it; back in the form, the new profile is the choice and has the focus.
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.count()).toBe(0)
    const runOn = form.locator('select[data-field="runOn"]')
    await expect.poll(() => runOn.inputValue()).toBe('e2e')
    expect((await focused(page)).attr['data-field']).toBe('runOn')
    expect(await runOn.locator('option').allTextContents()).toEqual(['This machine', 'e2e (Slurm)'])
  }, 300_000)

  it('starts a tiny run on the profile; its job shows waiting or running, then completes', async () => {
    const form = newRun()
    await form.locator('input[data-field="name"]').fill('on slurm')
    await form.locator('[data-field="epochs"] input').fill('2')
    await form.locator('[data-field="batchSize"] input').fill('32')
    // What the preview says for a profile (its length, and its estimate or why there is none).
    await form.locator('[data-planned-length]').waitFor({ timeout: 30_000 })
    await form.screenshot({ path: shotPath('slurm-new-run-run-on') })
    await form.locator('[data-action="start-run"]').click()

    const tab = page.locator('[data-run-tab]')
    await tab.waitFor()
    runId = Number(await tab.getAttribute('data-run-tab'))
    const badge = tab.locator('header [data-cluster-job]')
    await badge.waitFor({ timeout: 30_000 })
    // Slurm's state in words while it is a live job: waiting (with Slurm's reason) or its node.
    await expect
      .poll(() => badge.textContent(), { timeout: 60_000, interval: 200 })
      .toMatch(/^Slurm · e2e · job \d+(_\d+)? · (waiting(: \S+)?|on \S+)$/)
    // A job cannot pause; Stop (scancel) stays.
    await expect
      .poll(() => tab.locator('[data-action="stop-run"]').count(), { timeout: 60_000 })
      .toBe(1)
    expect(await tab.locator('[data-run-actions] button', { hasText: 'Pause' }).count()).toBe(0)
    await page.screenshot({ path: shotPath('slurm-run-live') })

    // The runs list: the job under the status, while it is live.
    await page.click('[data-section="runs"]')
    const row = page.locator(`[data-run="${runId}"]`)
    await row.waitFor()
    const job = row.locator('[data-cluster-job]')
    await expect
      .poll(() => job.getAttribute('title'), { timeout: 60_000, interval: 200 })
      .toMatch(/^Slurm · e2e · job \S+ · (waiting|on \S+)/)
    // Wider than the 1440 px the rest uses: at 1440 every column is at its narrowest and the job
    // line is cut (its title has it all); the README's picture shows it whole.
    await page.setViewportSize({ width: 1680, height: 520 })
    await page.screenshot({ path: shotPath('slurm-runs-live') })
    await page.setViewportSize({ width: 1440, height: 900 })
  }, 120_000)

  it('records the finished job in the history with its test accuracy', async () => {
    expect(runId, 'no run was started').toBeGreaterThan(0)
    const row = page.locator(`[data-run="${runId}"]`)
    await row.locator('.badge.completed').waitFor({ timeout: 300_000 })
    const accuracy = Number.parseFloat(
      (await row.locator('[data-col="testAccuracy"]').textContent()) ?? ''
    )
    expect(accuracy).toBeGreaterThan(10) // 10 classes: chance is 10%
    expect(await row.locator('[data-cluster-job]').getAttribute('title')).toMatch(
      /^Slurm · e2e · job \S+ · completed$/
    )
    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: shotPath('slurm-runs-completed') })
  }, 320_000)

  it("offers Run on in the label-budget planner, with the preview's word for the profile", async () => {
    await expect.poll(() => page.locator('dialog[open]').count()).toBe(0)
    await page.click('[data-section="datasets"]')
    await page.locator('[data-dataset-item]').first().click()
    await page.click('[data-action="new-label-budget"]')
    const dialog = page.locator('[data-dialog="label-budget"]')
    await dialog.locator('select[data-field="runOn"]').selectOption('e2e')
    await expect
      .poll(() => dialog.locator('[data-run-estimate]').textContent(), { timeout: 30_000 })
      .toMatch(/Slurm profile/)
    await dialog.screenshot({ path: shotPath('slurm-label-budget-run-on') })
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.count()).toBe(0)
  }, 60_000)

  it("shows a failed job's stderr tail as lines of text, and its run page badge", async () => {
    // A profile whose setup writes two lines (one with markup) to stderr and fails the job.
    await page.click('[data-status="slurm-profiles"]')
    const dialog = profiles()
    await dialog.locator('[data-profile="e2e"]').waitFor()
    expect((await focused(page)).inDialog).toBe('slurm-profiles')
    // Tab stays inside: Shift+Tab from the first control goes round to the last (Save).
    await page.locator('[data-dialog="slurm-profiles"] .close').focus()
    await page.keyboard.press('Shift+Tab')
    expect((await focused(page)).attr['data-action']).toBe('save-profile')
    await dialog.locator('input[data-field="name"]').fill('broken')
    await dialog.locator('input[data-field="sharedFolder"]').fill(shared)
    await dialog.locator('[data-field="cpus"] input').fill('1')
    await dialog.locator('[data-field="memoryMiB"] input').fill('2048')
    await dialog.locator('[data-field="timeLimitMinutes"] input').fill('20')
    await dialog
      .locator('textarea[data-field="setup"]')
      .fill('echo "first <b>line</b>" >&2; echo "second line" >&2; exit 3')
    await dialog.locator('[data-action="save-profile"]').click()
    await dialog.locator('[data-profile="broken"]').waitFor()
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.count()).toBe(0)
    expect((await focused(page)).attr['data-status']).toBe('slurm-profiles')

    await page.click('[data-section="runs"]')
    await page.click('[data-action="new-run"]')
    const form = newRun()
    await form.locator('select[data-field="runOn"]').selectOption('broken')
    await form.locator('input[data-field="name"]').fill('broken job')
    await form.locator('[data-field="epochs"] input').fill('1')
    await form.locator('[data-action="start-run"]').click()
    const tab = page.locator('[data-run-tab]')
    await page.locator('[data-run-tab][data-status="failed"]').waitFor({ timeout: 180_000 })
    const error = tab.locator('[data-run-error]')
    const text = (await error.textContent()) ?? ''
    expect(text).toContain('first <b>line</b>')
    expect(text).toMatch(/first <b>line<\/b>\n(.*\n)*second line/)
    expect(await error.locator('b').count()).toBe(0) // text, not markup
    expect(await error.evaluate((el) => getComputedStyle(el).whiteSpace)).toBe('pre-wrap')
    expect(await tab.locator('header [data-cluster-job]').textContent()).toMatch(
      /^Slurm · broken · job \S+/
    )
    await page.screenshot({ path: shotPath('slurm-run-failed') })
  }, 240_000)

  it('lists every state a job goes through: waiting with its reason, running on its node, ended', async () => {
    // A profile asking for more time than the partition allows: Slurm holds its job, saying why.
    dgmwIn(homeDir, [
      'slurm',
      'profile',
      'add',
      'long-queue',
      '--shared-folder',
      shared,
      '--cpus',
      '1',
      '--memory',
      '2G',
      '--time',
      '120'
    ])
    const startOn = async (profile: string, name: string, epochs: number): Promise<void> => {
      await page.click('[data-section="runs"]')
      await page.click('[data-action="new-run"]')
      const form = newRun()
      await form.locator('select[data-field="runOn"]').selectOption(profile)
      await form.locator('input[data-field="name"]').fill(name)
      await form.locator('[data-field="epochs"] input').fill(String(epochs))
      await form.locator('[data-field="batchSize"] input').fill('32')
      await form.locator('[data-action="start-run"]').click()
      await expect.poll(() => newRun().count()).toBe(0)
    }
    await startOn('long-queue', 'needs 2 h (partition max 1 h)', 2)
    await startOn('e2e', 'long run on the node', 400)
    await page.click('[data-section="runs"]')
    const title = (name: string) =>
      page
        .locator('[data-run]', { hasText: name })
        .locator('[data-cluster-job]')
        .getAttribute('title')
    await expect
      .poll(() => title('needs 2 h'), { timeout: 60_000, interval: 250 })
      .toMatch(/^Slurm · long-queue · job \S+ · waiting: PartitionTimeLimit/)
    await expect
      .poll(() => title('long run on the node'), { timeout: 120_000, interval: 250 })
      .toMatch(/^Slurm · e2e · job \S+ · on \S+/)
    expect(await seriousViolations(page)).toEqual([])
    // The README's picture: waiting with Slurm's reason, running on a node, completed, failed.
    await page.setViewportSize({ width: 1680, height: 560 })
    await page.screenshot({ path: shotPath('slurm-runs-states') })
    copyFileSync(shotPath('slurm-runs-states'), join(docs, 'screenshot-cluster-runs.png'))
    await page.setViewportSize({ width: 1440, height: 900 })
    // Cancelled from a terminal, as on a login node: the history says so.
    for (const name of ['needs 2 h', 'long run on the node']) {
      const jobId = /job (\S+)/.exec((await title(name)) ?? '')![1]
      execFileSync('scancel', [jobId])
      await page
        .locator('[data-run]', { hasText: name })
        .locator('.badge.stopped')
        .waitFor({ timeout: 60_000 })
    }
  }, 240_000)
})
