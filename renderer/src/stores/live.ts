import { defineStore } from 'pinia'
import { reactive } from 'vue'
import type { EventPayload, RunStatus } from '../../../preload/contract'
import { client } from '../client'
import { progressFraction } from '../runLive'
import { useRunEventsStore } from './runEvents'

const endStates: RunStatus[] = ['completed', 'failed', 'stopped', 'interrupted']

/**
 * What is training right now, for every view: the latest progress of each live run, the window
 * title while one trains, and a desktop notification when a run ends while the window is hidden
 * (someone who started a long run is rarely watching the tab when it finishes).
 */
export const useLiveStore = defineStore('live', () => {
  const progress = reactive(new Map<number, EventPayload<'train/progress'>>())
  const baseTitle = document.title || 'DGM Workbench'

  function updateTitle(): void {
    const latest = [...progress.values()].at(-1)
    document.title = latest
      ? `${Math.round(progressFraction(latest) * 100)}% · epoch ${latest.epoch + 1}/${latest.epochs} · ${baseTitle}`
      : baseTitle
  }

  function askPermissionOnce(): void {
    if (typeof Notification !== 'undefined' && Notification.permission === 'default')
      void Notification.requestPermission().catch(() => {})
  }

  async function notifyEnd(event: EventPayload<'run/status'>): Promise<void> {
    if (!document.hidden || typeof Notification === 'undefined') return
    if (Notification.permission !== 'granted') return
    let body = event.error ?? ''
    let title = `Run #${event.runId} ${event.status}`
    try {
      const run = await client.request('runs/get', { id: event.runId })
      title = `${run.name ?? `Run #${run.id}`} ${event.status}`
      const { testAccuracy: accuracy, fd } = run.headline
      if (!event.error && accuracy !== undefined)
        body = `Test accuracy ${(accuracy * 100).toFixed(2)}%`
      else if (!event.error && fd !== undefined)
        body = `FD (dataset classifier) ${Number(fd.toPrecision(3))}`
    } catch {
      // The run may have been deleted meanwhile; the status alone still says what happened.
    }
    new Notification(title, { body, tag: `run-${event.runId}` })
  }

  useRunEventsStore().follow('all', {
    'train/progress': (p) => {
      if (!progress.has(p.runId)) askPermissionOnce()
      progress.set(p.runId, p)
      updateTitle()
    },
    'run/status': (event) => {
      if (!endStates.includes(event.status)) return
      progress.delete(event.runId)
      updateTitle()
      void notifyEnd(event)
    }
  })

  return { progress }
})
