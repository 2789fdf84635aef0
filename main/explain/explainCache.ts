/**
 * Explanations already computed, so reopening an image's Explain panel is instant. Keyed by what
 * the answer depends on: the request's settings, the image, and the size and time of every
 * checkpoint involved (a run that trains on, or is resumed, gets fresh answers). The promise is
 * kept, so two identical requests in flight compute once; a failed one is forgotten.
 */
import { statSync } from 'node:fs'

const maxEntries = 200

export class ExplainCache {
  private readonly entries = new Map<string, Promise<unknown>>()

  /** The cached answer for `key`, or `compute`'s; `hit` says which. */
  async get<T>(key: string, compute: () => Promise<T>): Promise<{ value: T; hit: boolean }> {
    const known = this.entries.get(key) as Promise<T> | undefined
    if (known) {
      // Most recently used last: the oldest entry is the first the limit drops.
      this.entries.delete(key)
      this.entries.set(key, known)
      return { value: await known, hit: true }
    }
    const pending = compute()
    this.entries.set(key, pending)
    pending.catch(() => this.entries.delete(key))
    while (this.entries.size > maxEntries) this.entries.delete(this.entries.keys().next().value!)
    return { value: await pending, hit: false }
  }
}

/** What identifies a checkpoint's weights cheaply: its path, size and modification time. */
export function checkpointStamp(file: string): string {
  try {
    const info = statSync(file)
    return `${file}:${info.size}:${info.mtimeMs}`
  } catch {
    return `${file}:missing`
  }
}
