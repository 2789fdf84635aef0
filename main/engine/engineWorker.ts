/**
 * The long-lived engine worker: the one thread that owns the tensor library, so training never
 * stalls the process that serves the UI. It picks the backend once at start, then runs one
 * training job at a time; pause, resume and stop arrive as messages between steps.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { selectBackend } from './backendProbe'
import {
  isGenerativeSpec,
  type EngineCommand,
  type EngineMessage,
  type EngineWorkerData
} from './engineMessages'
import { trainGenerative } from './generative/generativeTrainer'
import { runTask } from './taskHandlers'
import { JobControl } from './jobControl'
import { train, type TrainHooks } from './trainer'
import { GpuLostError, gpuFaultError } from './gpuFaults'

const post = (message: EngineMessage): void => parentPort!.postMessage(message)
const jobs = new Map<string, JobControl>()

async function start(): Promise<boolean> {
  const { forced, gpuName } = workerData as EngineWorkerData
  const status = await selectBackend(forced, gpuName)
  post({ type: 'status', status })
  return status.state === 'ready'
}

const ready = start()

async function runJob(command: Extract<EngineCommand, { type: 'train' }>): Promise<void> {
  const { jobId, spec } = command
  if (!(await ready)) {
    post({ type: 'failed', jobId, error: 'No tensor backend loaded; see `dgmw doctor`.' })
    return
  }
  if (jobs.size > 0) {
    post({
      type: 'failed',
      jobId,
      error: 'The engine is already training; queue the run or stop the current one.'
    })
    return
  }
  const control = new JobControl()
  jobs.set(jobId, control)
  try {
    const hooks: TrainHooks = {
      onStart: (start) => post({ type: 'start', start }),
      onProgress: (progress) => post({ type: 'progress', progress }),
      onEpoch: (report) => post({ type: 'epoch', report }),
      onPause: () => post({ type: 'paused', jobId }),
      onResume: () => post({ type: 'resumed', jobId }),
      onSnapshot: (snapshot) => post({ type: 'snapshot', snapshot }),
      onScores: (scores) => post({ type: 'scores', jobId, scores })
    }
    const result = isGenerativeSpec(spec)
      ? await trainGenerative(jobId, spec, control, hooks)
      : await train(jobId, spec, control, hooks)
    post({ type: 'done', result })
  } catch (thrown) {
    // A GPU fault explains whatever failed after it (invalid buffers read back as garbage).
    const error = gpuFaultError(spec.config.batchSize) ?? (thrown as Error)
    post({
      type: 'failed',
      jobId,
      error: error.message,
      ...(error instanceof GpuLostError ? { deviceLost: true } : {})
    })
  } finally {
    jobs.delete(jobId)
  }
}

/**
 * Short tasks (samples, scores, exports, predictions) run as soon as they arrive, between the steps of any training job:
 * the loop yields to this handler at every step, and tensor work is synchronous.
 */
async function runShortTask(command: Extract<EngineCommand, { type: 'task' }>): Promise<void> {
  if (!(await ready)) {
    post({
      type: 'failed',
      jobId: command.jobId,
      error: 'No tensor backend loaded; see `dgmw doctor`.'
    })
    return
  }
  try {
    const result = await runTask(command.task)
    // Results computed after a GPU fault are garbage: the task fails with the fault instead.
    const fault = gpuFaultError()
    if (fault) throw fault
    post({ type: 'taskDone', jobId: command.jobId, result })
  } catch (thrown) {
    const error = gpuFaultError() ?? (thrown as Error)
    post({ type: 'failed', jobId: command.jobId, error: error.message })
  }
}

// Listening keeps the worker alive between commands; it ends when the host says shutdown.
parentPort!.on('message', (command: EngineCommand) => {
  switch (command.type) {
    case 'train':
      void runJob(command)
      break
    case 'task':
      void runShortTask(command)
      break
    case 'pause':
      jobs.get(command.jobId)?.pause()
      break
    case 'resume':
      jobs.get(command.jobId)?.resume()
      break
    case 'stop':
      jobs.get(command.jobId)?.stop()
      break
    case 'shutdown':
      for (const control of jobs.values()) control.stop()
      // exit() also ends the wasm backend's pthread workers, which would keep this thread alive.
      process.exit(0)
  }
})
