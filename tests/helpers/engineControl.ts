import type { EngineHost } from '../../main/engine/engineHost'
import type { AnyTrainSpec, TrainResult } from '../../main/engine/engineMessages'

/**
 * Trains `spec`, pausing at the first progress report, resuming once paused and stopping once
 * resumed: what the run tab's buttons do. Returns the events seen and the job's result.
 */
export async function pauseResumeStop(
  engine: EngineHost,
  spec: AnyTrainSpec
): Promise<{ events: string[]; result: TrainResult }> {
  const events: string[] = []
  let paused = false
  const job = engine.train(spec, {
    onProgress: () => {
      if (!paused) {
        paused = true
        job.pause()
      }
    },
    onPaused: () => {
      events.push('paused')
      job.resume()
    },
    onResumed: () => {
      events.push('resumed')
      job.stop()
    }
  })
  return { events, result: await job.done }
}
