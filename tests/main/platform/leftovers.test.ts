/**
 * Opening a data directory clears what killed processes left, without reading the folder of every
 * finished run: only interrupted runs' folders are looked in, and a run resuming clears its own.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sweepLeftovers } from '../../../main/datasets/cacheFolders'
import { databaseFileName, ensureDataDir } from '../../../main/platform/dataDir'
import { removeRunLeftovers, runDir } from '../../../main/platform/runFiles'
import { openRunStore } from '../../../main/store/runStore'
import { tempDir } from '../../helpers/tempDir'

/** The pid of a process that has ended (a real one, so no live process can own the name). */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!

describe('leftovers of killed processes', () => {
  it('are cleared in interrupted runs at open, in a resuming run, and never for a live writer', () => {
    const dir = tempDir()
    const dataDir = ensureDataDir(join(dir.path, 'home'))
    const store = openRunStore(join(dataDir, databaseFileName))
    try {
      const run = (status: 'interrupted' | 'completed'): number => {
        const id = store.runs.create({ recipe: 'classifier', seed: 1, config: {} })
        store.runs.setStatus(id, status)
        mkdirSync(join(runDir(dataDir, id), 'samples'), { recursive: true })
        return id
      }
      const [killed, finished] = [run('interrupted'), run('completed')]
      const dead = deadPid()
      const leftover = (id: number, name: string): string => {
        const file = join(runDir(dataDir, id), name)
        writeFileSync(file, 'half')
        return file
      }
      const stale = [
        leftover(killed, `checkpoint.ckpt.tmp-${dead}-ab12`),
        leftover(killed, `samples/step-00000010.png.tmp-${dead}-cd34`)
      ]
      const mine = leftover(killed, `checkpoint.ckpt.tmp-${process.pid}-ef56`)
      const inFinished = leftover(finished, `checkpoint.ckpt.tmp-${dead}-0a0b`)

      const removed = sweepLeftovers(store, dataDir)
      expect(removed.sort()).toEqual([...stale].sort())
      expect(stale.some(existsSync)).toBe(false)
      expect(existsSync(mine)).toBe(true)
      // A finished run's folder is not read at open; a run resuming clears its own.
      expect(existsSync(inFinished)).toBe(true)
      expect(removeRunLeftovers(dataDir, finished)).toEqual([inFinished])
    } finally {
      store.close()
      dir.cleanup()
    }
  })
})
