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

/**
 * A file name as one readable line: a name holding a newline, a tab or an escape would split a
 * table row or drive the terminal, so such a name is printed quoted with JSON escapes ("a\nb.png").
 */
export function printablePath(path: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is looked for
  return /[\u0000-\u001f\u007f]/.test(path) ? JSON.stringify(path) : path
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

export interface ProgressWriter {
  /** The live line; `final` forces it out (the last update of a phase). */
  update(text: string, final?: boolean): void
  /** A line that stays (an epoch summary). */
  print(text: string): void
  /** Ends the live line. */
  end(): void
}

/**
 * Progress on stderr: redrawn in place on a terminal; in a log or a pipe (no TTY) a whole line at
 * most every `everyMs`, so a CI log or `2> train.log` stays readable instead of holding thousands
 * of carriage-return frames.
 */
export function progressWriter(everyMs = 10_000): ProgressWriter {
  const tty = process.stderr.isTTY === true
  let last = -Infinity
  let drawn = false
  return {
    update(text, final = false) {
      if (tty) {
        process.stderr.write(`\r${text}   `)
        drawn = true
      } else if (final || Date.now() - last >= everyMs) {
        process.stderr.write(text + '\n')
        last = Date.now()
      }
    },
    print(text) {
      process.stderr.write(tty ? `\r${text.padEnd(90)}\n` : text + '\n')
      drawn = false
    },
    end() {
      if (drawn) process.stderr.write('\n')
      drawn = false
    }
  }
}
