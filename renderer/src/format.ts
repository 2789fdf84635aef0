/** Plain display helpers, kept out of components so they can be unit-tested. */

/** `2026-11-24T20:01:02.000Z` → `2026-11-24 20:01` in local time. */
export function formatTime(iso: string | null): string {
  if (!iso) return '—'
  const d = new Date(iso)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** Like formatTime, without the year when it is this year's (`12-03 17:40`): narrow table cells. */
export function formatShortTime(iso: string | null, now = new Date()): string {
  const full = formatTime(iso)
  return iso && new Date(iso).getFullYear() === now.getFullYear() ? full.slice(5) : full
}

/** Seconds → `42 s`, `3 min 05 s`, `2 h 07 min`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`
}

/** Duration of a run from its start and end (or now, while it runs). */
export function runDuration(
  startedAt: string | null,
  endedAt: string | null,
  now = Date.now()
): number | null {
  if (!startedAt) return null
  // A live run's `now` may be a table's last tick, taken before the run (a cluster job) started.
  return Math.max(0, ((endedAt ? Date.parse(endedAt) : now) - Date.parse(startedAt)) / 1000)
}

/** A size on disk, in kB, MB or GB (decimal, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1e6) return `${Math.max(1, Math.round(bytes / 1e3))} kB`
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`
  return `${(bytes / 1e9).toFixed(2)} GB`
}
