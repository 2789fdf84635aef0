import {
  eventOf,
  onlyEvent,
  type AnyEventListener,
  type EventName,
  type EventPayload
} from '../../preload/contract'

/** Typed fan-out of contract events to every connected transport (windows, sockets, tests). */
export class EventBus {
  private readonly listeners = new Set<AnyEventListener>()

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    const event = eventOf(name, payload)
    for (const listener of this.listeners) listener(...event)
  }

  /** Every event, in order: for whatever forwards them all (a transport, a window). */
  subscribe(listener: AnyEventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The payloads of one event. */
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.subscribe(onlyEvent(name, listener))
  }
}
