/**
 * Turns what the GPU reported during a step (webgpuBackend's device watch) into errors a person
 * can act on: out of memory names the batch size to lower; a lost device (driver reset, sleep,
 * unplugged eGPU) interrupts the run, which resumes from its last checkpoint.
 */
import { takeGpuFault } from './webgpuBackend'

/** The GPU device is gone: the run is `interrupted` (not failed) and the engine must restart. */
export class GpuLostError extends Error {
  readonly deviceLost = true
}

/** Throws if the GPU reported a fault since the last call; a no-op on CPU backends. */
export function throwOnGpuFault(
  batchSize: number,
  state: { epochsDone: number },
  dir: string | undefined
): void {
  const fault = takeGpuFault()
  if (!fault) return
  const kept =
    state.epochsDone > 0 && dir
      ? `The checkpoint of epoch ${state.epochsDone} is kept.`
      : 'No epoch had finished, so there is no checkpoint yet.'
  if (fault.kind === 'lost')
    throw new GpuLostError(
      `The GPU device was lost (${fault.message}): a driver reset, the machine slept, or the GPU ` +
        `was removed. ${kept} The run is interrupted; resume it to continue from its checkpoint.`
    )
  if (fault.kind === 'out-of-memory')
    throw new Error(
      `The GPU ran out of memory at batch size ${batchSize} (${fault.message}). ${kept} Lower the ` +
        `batch size (try ${Math.max(1, Math.floor(batchSize / 2))}) or the network width, then ` +
        'start the run again.'
    )
  throw new Error(`The GPU reported an error: ${fault.message}. ${kept}`)
}
