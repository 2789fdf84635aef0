import { defineStore } from 'pinia'
import type { EventPayload } from '../../../preload/contract'
import { client } from '../client'

/** The events that belong to one run. */
const runEventNames = ['train/progress', 'train/epoch', 'run/sampleGrid', 'run/status'] as const
export type RunEventName = (typeof runEventNames)[number]

/** What a follower hears; it leaves out the events it has no use for. */
export type RunListeners = { [E in RunEventName]?: (payload: EventPayload<E>) => void }

/** `'all'`: every run (the history list, the live progress); else the runs a view shows. */
export type FollowedRuns = 'all' | number | readonly number[]

/**
 * The one subscriber to run events: each kind is subscribed once and sorted by run id here, so a
 * view that follows some runs hears only theirs and never filters the stream itself.
 */
export const useRunEventsStore = defineStore('runEvents', () => {
  const followers = new Map<number | 'all', Set<RunListeners>>()

  function dispatch<E extends RunEventName>(name: E, payload: EventPayload<E>): void {
    // Copies: a listener may follow or unfollow while the event is delivered.
    for (const key of ['all', payload.runId] as const)
      for (const listeners of [...(followers.get(key) ?? [])]) listeners[name]?.(payload)
  }
  for (const name of runEventNames) client.on(name, (payload) => dispatch(name, payload))

  /** Listens to the runs' events until the returned function is called. */
  function follow(runs: FollowedRuns, listeners: RunListeners): () => void {
    const keys = runs === 'all' ? ['all' as const] : [runs].flat()
    for (const key of keys) {
      if (!followers.has(key)) followers.set(key, new Set())
      followers.get(key)!.add(listeners)
    }
    return () => {
      for (const key of keys) {
        followers.get(key)?.delete(listeners)
        if (followers.get(key)?.size === 0) followers.delete(key)
      }
    }
  }

  return { follow }
})
