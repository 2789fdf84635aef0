/**
 * Predictions as CSV, shared by `dgmw predict --csv` and the app's Export CSV button: one row per
 * image in the order given, the top-1 class and probability, then the top-k as label/probability
 * pairs, and the out-of-distribution flag where the model has one.
 */
import type { ImagePrediction } from './contract'
import { csvField } from './labelBudgetCsv'

export function predictionsCsv(predictions: readonly ImagePrediction[], topK: number): string {
  const k = Math.max(1, Math.min(topK, ...predictions.map((p) => p.topK.length)))
  const withOod = predictions.some((p) => p.outOfDistribution !== undefined)
  const header = ['path', 'top1', 'top1_index', 'probability']
  for (let i = 1; i <= k; i++) header.push(`top${i}_label`, `top${i}_probability`)
  if (withOod) header.push('out_of_distribution')
  const lines = [header.join(',')]
  for (const p of predictions) {
    const row: (string | number | boolean | undefined)[] = [
      p.path,
      p.top1,
      p.top1Index,
      p.probability
    ]
    for (let i = 0; i < k; i++) row.push(p.topK[i]?.label, p.topK[i]?.probability)
    if (withOod) row.push(p.outOfDistribution)
    lines.push(row.map(csvField).join(','))
  }
  return lines.join('\n') + '\n'
}
