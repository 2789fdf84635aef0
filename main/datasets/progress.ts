/** Counts work done and turns it into the progress a person reads: count, images/s, ETA. */
export interface ImportProgress {
  done: number
  total: number
  imagesPerSecond: number
  etaSeconds: number | null
}

export function progressMeter(
  total: number,
  report: (p: ImportProgress) => void,
  intervalMs = 200
) {
  const started = performance.now()
  let last = 0
  let done = 0
  const emit = (): void => {
    const seconds = (performance.now() - started) / 1000
    const rate = seconds > 0 ? done / seconds : 0
    report({
      done,
      total,
      imagesPerSecond: rate,
      etaSeconds: rate > 0 ? (total - done) / rate : null
    })
  }
  return {
    tick(n = 1): void {
      done += n
      const now = performance.now()
      if (now - last >= intervalMs || done === total) {
        last = now
        emit()
      }
    }
  }
}
