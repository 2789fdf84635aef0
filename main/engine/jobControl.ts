/**
 * Pause/resume/stop for a training loop that runs in the same thread as the message handler: the
 * loop awaits `checkpoint()` between steps, which yields to the event loop (so commands arrive)
 * and holds while paused.
 */
export class JobControl {
  private state: 'running' | 'paused' | 'stopping' = 'running'
  private wake: (() => void) | null = null
  /** How long the last `checkpoint()` held the job paused, in ms (0 when it did not pause). */
  lastPauseMs = 0

  pause(): void {
    if (this.state === 'running') this.state = 'paused'
  }

  resume(): void {
    if (this.state === 'paused') this.state = 'running'
    this.wake?.()
  }

  stop(): void {
    this.state = 'stopping'
    this.wake?.()
  }

  get stopping(): boolean {
    return this.state === 'stopping'
  }

  /** Returns false when the job should stop. */
  async checkpoint(onPause?: () => void, onResume?: () => void): Promise<boolean> {
    await new Promise((resolve) => setImmediate(resolve))
    this.lastPauseMs = 0
    if (this.state === 'paused') {
      const pausedAt = performance.now()
      onPause?.()
      while (this.state === 'paused') await new Promise<void>((resolve) => (this.wake = resolve))
      this.wake = null
      this.lastPauseMs = performance.now() - pausedAt
      if (this.state === 'running') onResume?.()
    }
    return this.state !== 'stopping'
  }
}
