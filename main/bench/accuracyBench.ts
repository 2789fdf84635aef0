/**
 * `dgmw bench accuracy`: time to 90% test accuracy on Fashion-MNIST. The workbench trains its best
 * recipe in the engine worker (as a run does); PyTorch trains the reference recipe
 * (bench/reference/fashion_torch.py) right after, on the same cores. Both train on all 60,000
 * training images, evaluate the 10,000 test images after every epoch, and count that time.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  classifierConfigSchema,
  type BackendName,
  type ClassifierConfig
} from '../../preload/contract'
import { importDataset } from '../datasets/importDataset'
import { datasetTrainingData } from '../datasets/trainingData'
import { createWorkbench } from '../host/workbench'
import { UserError } from '../platform/userError'
import { missingScriptMessage, referenceScript, runReferenceScript } from './pytorchReference'

const fashionMnist = '/usr/share/datasets/fashion-mnist'

/** The recipe the workbench brings to the race (chosen by the measurements in bench/RESULTS.md). */
export const accuracyBenchConfig: ClassifierConfig = classifierConfigSchema.parse({
  preset: 'small-cnn',
  optimizer: 'adam',
  learningRate: 0.003,
  schedule: 'one-cycle',
  warmupFraction: 0.3,
  batchSize: 128,
  epochs: 4,
  seed: 1
})

export interface EpochTime {
  epoch: number
  testAccuracy: number
  seconds: number
}

export interface AccuracyBenchSide {
  recipe: string
  epochs: EpochTime[]
  secondsToTarget: number | null
}

export interface AccuracyBenchResult {
  target: number
  workbench: AccuracyBenchSide & { backend: string; config: ClassifierConfig }
  reference: (AccuracyBenchSide & { torch: string; threads: number }) | null
  referenceError?: string
  /** Workbench seconds ÷ PyTorch seconds to the target (goal ≤ 0.5). */
  ratio: number | null
  goal: number
}

export async function runAccuracyBench(options: {
  backend?: BackendName
  python?: string
  threads: number
  config?: ClassifierConfig
  onEpoch?: (line: string) => void
}): Promise<AccuracyBenchResult> {
  if (!existsSync(join(fashionMnist, 'train-images-idx3-ubyte.gz')))
    throw new UserError(
      `This bench trains on Fashion-MNIST: install Debian's dataset-fashion-mnist (files under ${fashionMnist}).`
    )
  const target = 0.9
  const config = options.config ?? accuracyBenchConfig
  const home = mkdtempSync(join(tmpdir(), 'dgmw-accuracy-bench-'))
  const workbench = createWorkbench({ dataDir: home, backend: options.backend })
  try {
    const status = await workbench.engine.ready()
    if (status.state !== 'ready') throw new UserError(`No tensor backend: ${status.error}`)
    const { dataset } = await importDataset(workbench.store, home, fashionMnist, { seed: 1 })
    const data = datasetTrainingData(workbench.store, dataset.id, {
      normalisation: config.normalisation
    })
    // Like the reference: all 60,000 training images train (the validation share included).
    data.trainIndices = [...data.trainIndices, ...data.valIndices].sort((a, b) => a - b)
    data.valIndices = []
    const epochs: EpochTime[] = []
    const job = workbench.engine.train(
      { data, config, testEachEpoch: true },
      {
        onEpoch: (report) => {
          const e = {
            epoch: report.epoch + 1,
            testAccuracy: report.metrics['test/accuracy'],
            seconds: report.metrics.elapsed_seconds
          }
          epochs.push(e)
          options.onEpoch?.(
            `workbench epoch ${e.epoch}: test accuracy ${(e.testAccuracy * 100).toFixed(2)}% at ${e.seconds.toFixed(1)} s`
          )
        }
      }
    )
    await job.done
    const side = {
      recipe: `${config.preset}, ${config.optimizer} ${config.schedule} peak ${config.learningRate}, batch ${config.batchSize}, ${config.epochs} epochs, 60k train`,
      epochs,
      secondsToTarget: epochs.find((e) => e.testAccuracy >= target)?.seconds ?? null,
      backend: status.active ?? 'unknown',
      config
    }
    await workbench.close()
    const reference = runTorch(options.python, options.threads)
    const ratio =
      'secondsToTarget' in reference && side.secondsToTarget !== null && reference.secondsToTarget
        ? side.secondsToTarget / reference.secondsToTarget
        : null
    return {
      target,
      workbench: side,
      reference: 'error' in reference ? null : reference,
      referenceError: 'error' in reference ? reference.error : undefined,
      ratio,
      goal: 0.5
    }
  } finally {
    await workbench.close().catch(() => {})
    rmSync(home, { recursive: true, force: true })
  }
}

function runTorch(
  python: string | undefined,
  threads: number
): (AccuracyBenchSide & { torch: string; threads: number }) | { error: string } {
  if (!python) return { error: 'No python3 with torch found (install python3-torch).' }
  const script = referenceScript('fashion_torch.py')
  if (!script) return { error: missingScriptMessage('fashion_torch.py') }
  const run = runReferenceScript<AccuracyBenchSide & { torch: string; threads: number }>(
    python,
    script,
    ['--threads', String(threads)],
    { timeoutMs: 1_800_000 }
  )
  return 'error' in run ? run : run.report
}
