/** Output helpers: one JSON document on stdout for --json, plain tables for people otherwise. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
}

/** Left-aligned columns sized to their widest cell. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** Progress and notes for people go to stderr so stdout stays machine-readable. */
export function note(message: string): void {
  process.stderr.write(message + '\n')
}

/** Seconds as `42 s` or `3 min 05 s`, for progress lines. */
export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds)
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
}
