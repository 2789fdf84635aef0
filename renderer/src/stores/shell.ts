import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

export type Section = 'datasets' | 'experiments' | 'runs'

export interface ShellTab {
  /** Stable key, e.g. `run:12`. */
  key: string
  kind: 'run' | 'experiment'
  refId: number
  title: string
}

/** Which section the sidebar shows and which experiment/run tabs are open. */
export const useShellStore = defineStore('shell', () => {
  const section = ref<Section>('datasets')
  const tabs = ref<ShellTab[]>([])
  const activeKey = ref<string | null>(null)
  const activeTab = computed(() => tabs.value.find((t) => t.key === activeKey.value) ?? null)

  function showSection(next: Section): void {
    section.value = next
    activeKey.value = null
  }

  function openTab(tab: Omit<ShellTab, 'key'>): void {
    const key = `${tab.kind}:${tab.refId}`
    if (!tabs.value.some((t) => t.key === key)) tabs.value.push({ ...tab, key })
    activeKey.value = key
  }

  function closeTab(key: string): void {
    const index = tabs.value.findIndex((t) => t.key === key)
    if (index < 0) return
    tabs.value.splice(index, 1)
    if (activeKey.value === key)
      activeKey.value = tabs.value[Math.min(index, tabs.value.length - 1)]?.key ?? null
  }

  return { section, tabs, activeKey, activeTab, showSection, openTab, closeTab }
})
