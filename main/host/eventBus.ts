import type { EventName, EventPayload } from '../../preload/contract'

export type EventListener = (name: EventName, payload: unknown) => void

/** Typed fan-out of contract events to every connected transport (windows, sockets, tests). */
export class EventBus {
  private readonly listeners = new Set<EventListener>()

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) listener(name, payload)
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
