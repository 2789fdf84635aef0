/**
 * Turns what the GPU reported (webgpuBackend's device watch) into errors a person can act on:
 * running out of memory, or asking for a buffer larger than the GPU allows, names the batch size
 * to lower; a lost device (driver reset, sleep, unplugged eGPU) interrupts the run, which resumes
 * from its last checkpoint. After such a fault the GPU's results are garbage, so the job stops.
 */
import { takeGpuFault } from './webgpuBackend'

/** The GPU device is gone: the run is `interrupted` (not failed) and the engine must restart. */
export class GpuLostError extends Error {
  readonly deviceLost = true
}

/** Buffer or binding larger than the adapter's limit: as good as out of memory for the user. */
const tooLarge = /exceeds the max(imum)? (buffer|storage buffer binding) size|out of memory/i

/** The error for the fault the GPU reported since the last call, or null (and clears it). */
export function gpuFaultError(
  batchSize?: number,
  state?: { epochsDone: number },
  dir?: string
): Error | null {
  const fault = takeGpuFault()
  if (!fault) return null
  const kept = !state
    ? 'The last checkpoint, if an epoch had finished, is kept.'
    : state.epochsDone > 0 && dir
      ? `The checkpoint of epoch ${state.epochsDone} is kept.`
      : 'No epoch had finished, so there is no checkpoint yet.'
  if (fault.kind === 'lost')
    return new GpuLostError(
      `The GPU device was lost (${fault.message}): a driver reset, the machine slept, or the GPU ` +
        `was removed. ${kept} The run is interrupted; resume it to continue from its checkpoint.`
    )
  const detail = fault.message.split('\n')[0]
  if (fault.kind === 'out-of-memory' || tooLarge.test(fault.message))
    return new Error(
      `The GPU ran out of memory${batchSize ? ` at batch size ${batchSize}` : ''} (${detail}). ` +
        `${kept} Lower the batch size${batchSize ? ` (try ${Math.max(1, Math.floor(batchSize / 2))})` : ''} ` +
        'or the network width, then start the run again.'
    )
  return new Error(`The GPU reported an error: ${detail}. ${kept}`)
}

/** Throws if the GPU reported a fault since the last call; a no-op on CPU backends. */
export function throwOnGpuFault(
  batchSize: number,
  state: { epochsDone: number },
  dir: string | undefined
): void {
  const error = gpuFaultError(batchSize, state, dir)
  if (error) throw error
}
