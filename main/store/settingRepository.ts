/** App settings of the run store (e.g. the tensor backend chosen in the UI): one JSON value per key. */
import type Database from 'better-sqlite3'

export function settingRepository(db: Database.Database) {
  const get = db.prepare(`SELECT value FROM settings WHERE key = ?`)
  const set = db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
  const remove = db.prepare(`DELETE FROM settings WHERE key = ?`)
  return {
    get<T>(key: string): T | undefined {
      const row = get.get(key) as { value: string } | undefined
      return row ? (JSON.parse(row.value) as T) : undefined
    },

    /** Stores a setting; `undefined` removes it. */
    set(key: string, value: unknown): void {
      if (value === undefined) remove.run(key)
      else set.run(key, JSON.stringify(value))
    }
  }
}
