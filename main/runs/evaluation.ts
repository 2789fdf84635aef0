/**
 * Classification metrics from true and predicted labels: the confusion matrix, per-class
 * precision/recall/F1/support and their macro averages (as scikit-learn's classification_report
 * computes them; a class with nothing predicted has precision 0).
 */
import type { Evaluation } from '../../preload/contract'

export type EvaluationNumbers = Pick<
  Evaluation,
  'count' | 'accuracy' | 'labels' | 'confusion' | 'perClass' | 'macro'
>

export function classificationReport(
  labels: string[],
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>
): EvaluationNumbers {
  if (truth.length !== predicted.length)
    throw new Error(`${truth.length} true labels but ${predicted.length} predictions`)
  const k = labels.length
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  let correct = 0
  for (let i = 0; i < truth.length; i++) {
    confusion[truth[i]][predicted[i]]++
    if (truth[i] === predicted[i]) correct++
  }
  const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0)
  const perClass = labels.map((label, c) => {
    const support = confusion[c].reduce((a, b) => a + b, 0)
    const predictedAs = confusion.reduce((sum, row) => sum + row[c], 0)
    const precision = ratio(confusion[c][c], predictedAs)
    const recall = ratio(confusion[c][c], support)
    return {
      label,
      precision,
      recall,
      f1: ratio(2 * precision * recall, precision + recall),
      support
    }
  })
  // Macro averages over the classes that occur in the truth or the predictions.
  const seen = perClass.filter((p, c) => p.support > 0 || confusion.some((row) => row[c] > 0))
  const mean = (pick: (p: (typeof perClass)[number]) => number): number =>
    ratio(
      seen.reduce((sum, p) => sum + pick(p), 0),
      seen.length
    )
  return {
    count: truth.length,
    accuracy: ratio(correct, truth.length),
    labels,
    confusion,
    perClass,
    macro: {
      precision: mean((p) => p.precision),
      recall: mean((p) => p.recall),
      f1: mean((p) => p.f1)
    }
  }
}
