import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useShellStore, type ShellTab } from '../../renderer/src/stores/shell'
import {
  keepExistingTabs,
  loadOpenTabs,
  openTabsKey,
  saveOpenTabs
} from '../../renderer/src/tabPersistence'

/** sessionStorage as the browser has it: strings by key. */
class MemoryStorage {
  private items = new Map<string, string>()
  getItem = (key: string): string | null => this.items.get(key) ?? null
  setItem = (key: string, value: string): void => void this.items.set(key, String(value))
}

const run = (id: number): ShellTab => ({
  key: `run:${id}`,
  kind: 'run',
  refId: id,
  title: `#${id}`
})

describe('opening tabs', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('focuses the existing tab of a run instead of opening a second one', () => {
    const shell = useShellStore()
    shell.openTab({ kind: 'run', refId: 1, title: '#1' })
    shell.openTab({ kind: 'run', refId: 2, title: '#2' })
    shell.openTab({ kind: 'run', refId: 1, title: '#1 renamed' })
    expect(shell.tabs.map((t) => t.key)).toEqual(['run:1', 'run:2'])
    expect(shell.activeKey).toBe('run:1')
  })

  it('treats comparisons of the same runs in any order as one tab', () => {
    const shell = useShellStore()
    shell.openTab({ kind: 'compare', runIds: [7, 3, 12] })
    shell.openTab({ kind: 'compare', runIds: [12, 7, 3, 3] })
    expect(shell.tabs).toHaveLength(1)
    expect(shell.activeKey).toBe('compare:3,7,12')
    shell.openTab({ kind: 'compare', runIds: [3, 7] })
    expect(shell.tabs).toHaveLength(2)
  })

  it('closes the others and all', () => {
    const shell = useShellStore()
    for (const id of [1, 2, 3]) shell.openTab({ kind: 'run', refId: id, title: `#${id}` })
    shell.closeOtherTabs('run:2')
    expect(shell.tabs.map((t) => t.key)).toEqual(['run:2'])
    expect(shell.activeKey).toBe('run:2')
    shell.closeAllTabs()
    expect(shell.tabs).toEqual([])
    expect(shell.activeKey).toBeNull()
  })
})

describe('tabs across a reload', () => {
  let storage: MemoryStorage
  beforeEach(() => {
    storage = new MemoryStorage()
    Object.assign(globalThis, { sessionStorage: storage })
    setActivePinia(createPinia())
  })
  afterEach(() => Reflect.deleteProperty(globalThis, 'sessionStorage'))

  it('restores the open tabs and the active one in a new store (a reloaded page)', async () => {
    const before = useShellStore()
    before.openTab({ kind: 'run', refId: 4, title: 'lr 0.003' })
    before.openTab({ kind: 'compare', runIds: [5, 4] })
    before.openTab({ kind: 'model', path: '/exports/m', title: 'm' })
    before.activeKey = 'compare:4,5'
    await Promise.resolve() // the store saves in a watcher
    setActivePinia(createPinia())
    const after = useShellStore()
    expect(after.tabs).toEqual(before.tabs)
    expect(after.activeKey).toBe('compare:4,5')
  })

  it('drops restored tabs whose run or experiment is gone, and moves off a dropped active tab', () => {
    saveOpenTabs(storage, {
      tabs: [
        run(1),
        run(2),
        { key: 'experiment:9', kind: 'experiment', refId: 9, title: 'E' },
        { key: 'compare:1,2,3', kind: 'compare', runIds: [1, 2, 3], title: '3 runs' }
      ],
      activeKey: 'run:2'
    })
    const shell = useShellStore()
    shell.keepTabsOf({ runIds: new Set([1, 3]), experimentIds: new Set() })
    expect(shell.tabs.map((t) => t.key)).toEqual(['run:1', 'compare:1,3'])
    expect(shell.activeKey).toBe('run:1')
  })

  it('ignores unreadable or foreign storage instead of failing to start', () => {
    storage.setItem(openTabsKey, '{not json')
    expect(loadOpenTabs(storage)).toEqual({ tabs: [], activeKey: null })
    storage.setItem(
      openTabsKey,
      JSON.stringify({ tabs: [{ key: 'x', kind: 'chart' }, run(3)], activeKey: 'x' })
    )
    expect(loadOpenTabs(storage)).toEqual({ tabs: [run(3)], activeKey: null })
    expect(loadOpenTabs(undefined)).toEqual({ tabs: [], activeKey: null })
  })

  it('closes a comparison left with fewer than two runs', () => {
    const compare: ShellTab = { key: 'compare:1,2', kind: 'compare', runIds: [1, 2], title: '2' }
    expect(keepExistingTabs([compare], { runIds: new Set([1]), experimentIds: new Set() })).toEqual(
      []
    )
  })
})
