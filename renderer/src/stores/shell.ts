import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import type { Augmentation, RecipeName } from '../../../preload/contract'
import { sortedIds } from '../runCompare'
import {
  keepExistingTabs,
  loadOpenTabs,
  saveOpenTabs,
  type ExistingObjects
} from '../tabPersistence'

export type Section = 'datasets' | 'experiments' | 'runs'

export type ShellTab =
  | {
      /** Stable key, e.g. `run:12`. */
      key: string
      kind: 'run' | 'experiment'
      refId: number
      title: string
    }
  | {
      /** `compare:3,7,12`: the sorted ids, so one set of runs is one tab. */
      key: string
      kind: 'compare'
      runIds: number[]
      title: string
    }
  | {
      /** `model:<folder>`: an exported model folder, to predict with or fine-tune from. */
      key: string
      kind: 'model'
      path: string
      title: string
    }

/** The short kind shown before a tab's title. */
export const tabKindLabel = {
  run: 'Run',
  experiment: 'Exp',
  compare: 'Compare',
  model: 'Model'
} as const

/** A tab to open; its key is derived from what it shows. */
export type NewTab =
  | { kind: 'run' | 'experiment'; refId: number; title: string }
  | { kind: 'compare'; runIds: number[]; title?: string }
  | { kind: 'model'; path: string; title: string }

/** What the new-run form starts from; anything left out comes from the last run started. */
export interface NewRunRequest {
  datasetId?: number
  experimentId?: number
  /** The recipe to start with (default: classifier). */
  recipe?: RecipeName
  /** A config to start from (e.g. an existing run's, to re-run it with a change). */
  config?: Record<string, unknown>
  /** Augmentation settings to train with (from the dataset's augmentation preview). */
  augmentation?: Augmentation
  /** The Slurm profile to run on (re-running a cluster run); absent: this machine. */
  runOn?: string
}

/** What the label-budget planner starts from. */
export interface LabelBudgetRequest {
  datasetId?: number
}

export function tabKey(tab: NewTab): string {
  if (tab.kind === 'compare') return `compare:${sortedIds(tab.runIds).join(',')}`
  if (tab.kind === 'model') return `model:${tab.path}`
  return `${tab.kind}:${tab.refId}`
}

/**
 * Which section the sidebar shows, which tabs are open, and whether the new-run form or the
 * label-budget planner is up, and the Slurm profiles dialog.
 */
export const useShellStore = defineStore('shell', () => {
  const section = ref<Section>('datasets')
  // A reload keeps the open tabs (sessionStorage: per window, gone when the window closes).
  const storage = globalThis.sessionStorage as Storage | undefined
  const restored = loadOpenTabs(storage)
  const tabs = ref<ShellTab[]>(restored.tabs)
  const activeKey = ref<string | null>(restored.activeKey)
  watch(
    [tabs, activeKey],
    () => saveOpenTabs(storage, { tabs: tabs.value, activeKey: activeKey.value }),
    {
      deep: true
    }
  )
  const activeTab = computed(() => tabs.value.find((t) => t.key === activeKey.value) ?? null)
  const newRun = ref<NewRunRequest | null>(null)
  const labelBudget = ref<LabelBudgetRequest | null>(null)
  /** The Slurm profiles dialog (over the new-run form or plan dialog when opened from there). */
  const slurmProfiles = ref(false)

  function showSection(next: Section): void {
    section.value = next
    activeKey.value = null
  }

  function openTab(tab: NewTab): void {
    const key = tabKey(tab)
    if (!tabs.value.some((t) => t.key === key)) {
      if (tab.kind === 'compare') {
        const runIds = sortedIds(tab.runIds)
        tabs.value.push({
          key,
          kind: 'compare',
          runIds,
          title: tab.title ?? `${runIds.length} runs`
        })
      } else tabs.value.push({ ...tab, key })
    }
    activeKey.value = key
  }

  function closeTab(key: string): void {
    const index = tabs.value.findIndex((t) => t.key === key)
    if (index < 0) return
    tabs.value.splice(index, 1)
    if (activeKey.value === key)
      activeKey.value = tabs.value[Math.min(index, tabs.value.length - 1)]?.key ?? null
  }

  /** Closes every tab but `key`, which becomes the active one. */
  function closeOtherTabs(key: string): void {
    tabs.value = tabs.value.filter((t) => t.key === key)
    activeKey.value = tabs.value.length ? key : null
  }

  function closeAllTabs(): void {
    tabs.value = []
    activeKey.value = null
  }

  /** Drops restored tabs whose run or experiment no longer exists (deleted from another window). */
  function keepTabsOf(existing: ExistingObjects): void {
    const kept = keepExistingTabs(tabs.value, existing)
    if (kept.length === tabs.value.length && kept.every((t, i) => t === tabs.value[i])) return
    tabs.value = kept
    if (!kept.some((t) => t.key === activeKey.value)) activeKey.value = kept[0]?.key ?? null
  }

  function openNewRun(request: NewRunRequest = {}): void {
    newRun.value = request
  }

  function closeNewRun(): void {
    newRun.value = null
  }

  function openLabelBudget(request: LabelBudgetRequest = {}): void {
    labelBudget.value = request
  }

  function closeLabelBudget(): void {
    labelBudget.value = null
  }

  function openSlurmProfiles(): void {
    slurmProfiles.value = true
  }

  function closeSlurmProfiles(): void {
    slurmProfiles.value = false
  }

  return {
    section,
    tabs,
    activeKey,
    activeTab,
    newRun,
    showSection,
    openTab,
    closeTab,
    closeOtherTabs,
    closeAllTabs,
    keepTabsOf,
    openNewRun,
    closeNewRun,
    labelBudget,
    openLabelBudget,
    closeLabelBudget,
    slurmProfiles,
    openSlurmProfiles,
    closeSlurmProfiles
  }
})
