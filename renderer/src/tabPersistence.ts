import type { ShellTab } from './stores/shell'

/** Where the open tabs are kept: per window, so a reload keeps them and a new window starts clean. */
export const openTabsKey = 'dgmw.openTabs'

export interface OpenTabs {
  tabs: ShellTab[]
  activeKey: string | null
}

const isIdList = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((n) => Number.isInteger(n) && n > 0)

/** A stored tab, if it still has the shape this version of the app writes (else it is dropped). */
function readTab(raw: unknown): ShellTab | null {
  if (typeof raw !== 'object' || raw === null) return null
  const t = raw as Record<string, unknown>
  if (typeof t.key !== 'string' || typeof t.title !== 'string') return null
  if ((t.kind === 'run' || t.kind === 'experiment') && Number.isInteger(t.refId))
    return { key: t.key, kind: t.kind, refId: t.refId as number, title: t.title }
  if (t.kind === 'compare' && isIdList(t.runIds))
    return { key: t.key, kind: 'compare', runIds: t.runIds, title: t.title }
  if (t.kind === 'model' && typeof t.path === 'string')
    return { key: t.key, kind: 'model', path: t.path, title: t.title }
  return null
}

/** The tabs saved by `saveOpenTabs`, or none when nothing (or something unreadable) is stored. */
export function loadOpenTabs(storage: Pick<Storage, 'getItem'> | undefined): OpenTabs {
  const none = { tabs: [], activeKey: null }
  const text = storage?.getItem(openTabsKey)
  if (!text) return none
  try {
    const doc = JSON.parse(text) as { tabs?: unknown; activeKey?: unknown }
    const tabs = (Array.isArray(doc.tabs) ? doc.tabs : [])
      .map(readTab)
      .filter((t): t is ShellTab => t !== null)
    const activeKey = tabs.some((t) => t.key === doc.activeKey) ? (doc.activeKey as string) : null
    return { tabs, activeKey }
  } catch {
    return none
  }
}

export function saveOpenTabs(storage: Pick<Storage, 'setItem'> | undefined, open: OpenTabs): void {
  try {
    storage?.setItem(openTabsKey, JSON.stringify(open))
  } catch {
    // Storage full or disabled: the tabs just do not survive a reload.
  }
}

/** What exists now, to drop restored tabs whose run or experiment was deleted meanwhile. */
export interface ExistingObjects {
  runIds: ReadonlySet<number>
  experimentIds: ReadonlySet<number>
}

/**
 * The tabs whose objects still exist; a comparison keeps the runs that remain and goes when fewer
 * than two do. Model tabs are folders on disk: their tab says so itself if the folder is gone.
 */
export function keepExistingTabs(tabs: ShellTab[], existing: ExistingObjects): ShellTab[] {
  return tabs.flatMap((tab): ShellTab[] => {
    if (tab.kind === 'run') return existing.runIds.has(tab.refId) ? [tab] : []
    if (tab.kind === 'experiment') return existing.experimentIds.has(tab.refId) ? [tab] : []
    if (tab.kind === 'compare') {
      const runIds = tab.runIds.filter((id) => existing.runIds.has(id))
      if (runIds.length < 2) return []
      if (runIds.length === tab.runIds.length) return [tab]
      return [
        { ...tab, runIds, key: `compare:${runIds.join(',')}`, title: `${runIds.length} runs` }
      ]
    }
    return [tab]
  })
}
