import { execFileSync } from 'node:child_process'
import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readExportMetadata } from '../../../main/engine/export/exportMetadata'
import { tempDir } from '../../helpers/tempDir'

describe('reading an export folder’s metadata.json', () => {
  const dir = tempDir()
  afterAll(() => dir.cleanup())

  // A FIFO would block the host's one thread until something writes to it; /dev/zero never ends.
  it('refuses a metadata.json that is a FIFO or a device instead of reading it forever', () => {
    const fifo = join(dir.path, 'fifo')
    const zero = join(dir.path, 'zero')
    mkdirSync(fifo)
    mkdirSync(zero)
    execFileSync('mkfifo', [join(fifo, 'metadata.json')])
    symlinkSync('/dev/zero', join(zero, 'metadata.json'))
    for (const folder of [fifo, zero])
      expect(() => readExportMetadata(folder)).toThrow(
        `${join(folder, 'metadata.json')} cannot be read (it is not a regular file); export the run again.`
      )
  })
})
