/**
 * The engine worker's half of a prediction: class probabilities of already decoded images, from a
 * run's saved weights or an exported folder, in chunks so a folder of thousands fits in memory.
 */
import type { PredictTask, PredictTaskResult } from '../engineMessages'
import { loadTrainedModel } from '../export/trainedModel'

const chunk = 256

export async function runPredict(task: PredictTask): Promise<PredictTaskResult> {
  const trained = await loadTrainedModel(task.source)
  try {
    if (!trained.predict)
      throw new Error(
        'This model does not classify images (it generates them); predict with a classifier, ' +
          'or an SGAN, ACGAN or generative Bayes classifier run.'
      )
    const { classes, shape } = trained
    const size = shape.height * shape.width * shape.channels
    const probabilities = new Float32Array(task.count * classes)
    const ood: boolean[] = []
    let anyOod = false
    for (let from = 0; from < task.count; from += chunk) {
      const count = Math.min(chunk, task.count - from)
      const part = await trained.predict(
        task.pixels.subarray(from * size, (from + count) * size),
        count
      )
      probabilities.set(part.probabilities, from * classes)
      if (part.ood) {
        anyOod = true
        ood.push(...part.ood)
      }
    }
    return { classes, probabilities, ...(anyOod ? { ood } : {}) }
  } finally {
    trained.dispose()
  }
}
