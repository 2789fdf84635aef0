/**
 * A generative run's timelapse: the same latent codes (and labels) drawn as a grid at fixed points
 * of training, each frame a PNG in the run's folder, so a person watches the generator learn.
 */
import * as tf from '@tensorflow/tfjs-core'
import { latentCodes, type GenerativeModel } from '../models/generative/recipe'
import type { GenerativeTrainSpec, SampleSnapshot } from '../engineMessages'
import { encodePng, tileGrid } from '../../datasets/pixelImages'
import { writeFileAtomic } from '../../platform/atomicWrite'
import { sampleGridFile } from '../../platform/runFiles'
import { toPixels } from './sampleImages'
import { meanPairwiseDistance } from './generativeDiagnostics'

/** The most timelapse frames a run draws (see `epochsPerFrame`). */
const maxFrames = 120
/** Latent codes of the timelapse grid: the same for every frame of a run. */
const gridPurpose = 99

/** The grid's layout: one row per class (up to 10) for conditional models, else 8×8. */
export function gridLayout(
  conditional: boolean,
  classes: number
): { rows: number; cols: number; labels: number[] | null } {
  if (!conditional) return { rows: 8, cols: 8, labels: null }
  const rows = Math.min(classes, 10)
  const cols = 8
  return { rows, cols, labels: Array.from({ length: rows * cols }, (_, i) => Math.floor(i / cols)) }
}

type TimelapseConfig = Pick<
  GenerativeTrainSpec['config'],
  'latentDim' | 'seed' | 'epochs' | 'snapshotsPerEpoch'
>

export class Timelapse {
  private readonly layout: ReturnType<typeof gridLayout>
  private readonly z: tf.Tensor2D
  private readonly labels: tf.Tensor1D | null
  /** Batches (within an epoch) after which a grid is drawn, evenly spaced, the last one included. */
  private readonly frameBatches: Set<number>
  /**
   * Runs of hundreds of short epochs (small label budgets) keep about maxFrames grids: every
   * n-th epoch's, and always the last epoch's.
   */
  private readonly epochsPerFrame: number

  constructor(
    private readonly model: GenerativeModel,
    private readonly config: TimelapseConfig,
    classes: number,
    private readonly stepsPerEpoch: number
  ) {
    this.layout = gridLayout(model.conditional, classes)
    const { rows, cols, labels } = this.layout
    this.z = latentCodes(rows * cols, config.latentDim, config.seed, 0, gridPurpose)
    this.labels = labels ? tf.tensor1d(labels, 'int32') : null
    this.frameBatches = new Set(
      Array.from(
        { length: config.snapshotsPerEpoch },
        (_, k) => Math.round(((k + 1) * stepsPerEpoch) / config.snapshotsPerEpoch) - 1
      )
    )
    this.epochsPerFrame = Math.max(
      1,
      Math.ceil((config.epochs * config.snapshotsPerEpoch) / maxFrames)
    )
  }

  /** Whether a frame is drawn after this batch of this epoch. */
  dueAfter(epoch: number, batch: number): boolean {
    const framedEpoch = (epoch + 1) % this.epochsPerFrame === 0 || epoch === this.config.epochs - 1
    return this.frameBatches.has(batch) && framedEpoch
  }

  /**
   * Draws the grid at `step`, writes it into `dir` (when the run has one, then reporting it to
   * `onFrame`) and returns its sample diversity.
   */
  async draw(
    step: number,
    dir: string | undefined,
    onFrame: (frame: Omit<SampleSnapshot, 'jobId'>) => void
  ): Promise<number> {
    const images = tf.tidy(() => this.model.generate(this.z, this.labels))
    const diversity = await meanPairwiseDistance(images)
    const batch = await toPixels(images)
    tf.dispose([images])
    const epoch = step / this.stepsPerEpoch
    if (dir) {
      const { rows, cols } = this.layout
      const file = sampleGridFile(dir, step)
      writeFileAtomic(file, await encodePng(tileGrid(batch, cols)))
      onFrame({ step, epoch, rows, cols, path: file, diversity })
    }
    return diversity
  }

  dispose(): void {
    tf.dispose([this.z, ...(this.labels ? [this.labels] : [])])
  }
}
