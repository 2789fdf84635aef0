import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Augmentation, RecipeName } from '../../../preload/contract'
import { sortedIds } from '../runCompare'

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
 * label-budget planner is up.
 */
export const useShellStore = defineStore('shell', () => {
  const section = ref<Section>('datasets')
  const tabs = ref<ShellTab[]>([])
  const activeKey = ref<string | null>(null)
  const activeTab = computed(() => tabs.value.find((t) => t.key === activeKey.value) ?? null)
  const newRun = ref<NewRunRequest | null>(null)
  const labelBudget = ref<LabelBudgetRequest | null>(null)

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

  return {
    section,
    tabs,
    activeKey,
    activeTab,
    newRun,
    showSection,
    openTab,
    closeTab,
    openNewRun,
    closeNewRun,
    labelBudget,
    openLabelBudget,
    closeLabelBudget
  }
})
