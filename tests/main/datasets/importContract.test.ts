import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, type Client } from '../../../preload/client'
import type { EventPayload } from '../../../preload/contract'
import { createMemoryTransport } from '../../../main/host/memoryTransport'
import { createWorkbench } from '../../../main/host/workbench'
import type { Workbench } from '../../../main/host/workbenchServices'
import { tempDir } from '../../helpers/tempDir'

describe('importing through the contract', () => {
  let dir: ReturnType<typeof tempDir>
  let workbench: Workbench
  let client: Client

  beforeAll(async () => {
    dir = tempDir()
    for (const cls of ['dark', 'light']) {
      mkdirSync(join(dir.path, 'folder', cls), { recursive: true })
      for (let i = 0; i < 150; i++) {
        const level = cls === 'dark' ? i % 60 : 195 + (i % 60)
        await sharp({
          create: {
            width: 20,
            height: 20,
            channels: 3,
            background: { r: level, g: level, b: (i * 7) % 256 }
          }
        })
          .png()
          .toFile(join(dir.path, 'folder', cls, `${i}.png`))
      }
    }
    workbench = createWorkbench({ dataDir: join(dir.path, 'home'), backend: 'cpu', log: () => {} })
    client = createClient(createMemoryTransport(workbench))
  })
  afterAll(async () => {
    await workbench.close()
    dir.cleanup()
  })

  it('streams progress events for its import id and keeps answering other requests', async () => {
    const events: EventPayload<'import/progress'>[] = []
    client.on('import/progress', (p) => events.push(p))
    const importing = client.request('datasets/import', {
      path: join(dir.path, 'folder'),
      importId: 'imp-1',
      size: 16
    })
    let answered = 0
    let done = false
    void importing.then(() => (done = true))
    while (!done) {
      await client.request('app/info')
      answered++
      await new Promise((resolve) => setTimeout(resolve, 5)) // let the import's own events in
    }
    const report = await importing
    expect(report.imported).toBe(300)
    expect(answered).toBeGreaterThan(0)
    expect(events.length).toBeGreaterThan(0)
    expect(events.every((e) => e.importId === 'imp-1')).toBe(true)
    expect(events.at(-1)).toMatchObject({ done: 300, total: 300 })

    const detail = await client.request('datasets/get', { id: report.dataset.id })
    expect(detail.classCounts.map((c) => c.train + c.val + c.test)).toEqual([150, 150])
    const page = await client.request('datasets/images', {
      id: report.dataset.id,
      label: 1,
      limit: 5
    })
    expect(page).toMatchObject({ total: 150 })
    const pixels = await client.request('datasets/pixels', {
      id: report.dataset.id,
      indices: page.items.map((i) => i.idx)
    })
    expect(Buffer.from(pixels.data, 'base64').length).toBe(5 * 16 * 16 * 3)
    await client.request('datasets/delete', { id: report.dataset.id })
    await expect(client.request('datasets/get', { id: report.dataset.id })).rejects.toThrow(
      /"folder" was deleted on/
    )
  })

  it('refuses upload paths that leave the upload folder', async () => {
    const { uploadId } = await client.request('uploads/begin', { name: 'x' })
    await expect(
      client.request('uploads/file', { uploadId, path: '../../escape.png', data: 'AA==' })
    ).rejects.toThrow(/must be a relative path inside the dropped folder/)
    await client.request('uploads/file', { uploadId, path: 'ok/inside.png', data: 'AA==' })
    const { path } = await client.request('uploads/finish', { uploadId })
    expect(path.startsWith(join(dir.path, 'home', 'uploads'))).toBe(true)
  })
})
