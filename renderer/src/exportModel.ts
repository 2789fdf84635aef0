/** Pure helpers of the export dialog: formats explained, the suggested folder, the verdicts. */
import type { ExportedNetwork, ExportFormat } from '../../preload/contract'
import { safeName } from './predictTable'

/** One line each, under the format choice: what the format is for. */
export const formatDescriptions: Record<ExportFormat, { title: string; use: string }> = {
  tfjs: {
    title: 'TF.js',
    use: 'model.json and weights for TensorFlow.js (browser or Node); the workbench can predict with it and fine-tune from it.'
  },
  onnx: {
    title: 'ONNX',
    use: 'model.onnx (opset 13) for ONNX Runtime in Python, C++, C#, Java or JavaScript, OpenCV DNN, and other tools.'
  }
}

/** The folder name a run exports to by default: its name (or `run-<id>`) and the format. */
export const exportFolderName = (
  run: { id: number; name: string | null },
  format: ExportFormat
): string => `${safeName(run.name ?? '') || `run-${run.id}`}-${format}`

/** A suggestion in the data directory's `exports` folder, on the machine that writes it. */
export function defaultExportPath(dataDir: string, folderName: string): string {
  const sep = dataDir.includes('\\') && !dataDir.includes('/') ? '\\' : '/'
  return `${dataDir.replace(/[\\/]+$/, '')}${sep}exports${sep}${folderName}`
}

/**
 * A typed path that ends in the other format's suffix (`…/shirts-tfjs`) follows a format switch,
 * so both formats of one model land side by side; any other path is the person's and stays.
 */
export function switchFormatSuffix(path: string, from: ExportFormat, to: ExportFormat): string {
  const suffix = new RegExp(`-${from}([\\\\/]*)$`)
  return suffix.test(path) ? path.replace(suffix, `-${to}$1`) : path
}

/** The folder the path names, for the replace question: trailing separators dropped. */
export const cleanPath = (path: string): string => path.trim().replace(/(?<=.)[\\/]+$/, '')

export type Verdict = 'pass' | 'fail'

/** An exported network passes when the other runtime's outputs are within tolerance. */
export const verdict = (network: ExportedNetwork): Verdict =>
  network.verification.maxDifference <= network.verification.tolerance ? 'pass' : 'fail'

/** Whether every top-1 class agreed (classifiers); null when the network has no classes. */
export function top1Agreement(network: ExportedNetwork): { text: string; all: boolean } | null {
  const { sameTop1, count } = network.verification
  if (sameTop1 === undefined) return null
  return { text: `${sameTop1}/${count}`, all: sameTop1 === count }
}

/** `3.2e-7`: small differences read as powers of ten; zero as 0. */
export function formatDifference(x: number): string {
  if (x === 0) return '0'
  if (!Number.isFinite(x)) return String(x)
  return Math.abs(x) >= 0.01 && Math.abs(x) < 1000 ? x.toPrecision(3) : x.toExponential(1)
}

/** Bytes → `812 B`, `14.2 KiB`, `3.1 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

/** A metric from an export's metadata: shares as percentages, other numbers to 4 digits. */
export function formatMetric(key: string, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—'
  if (/accuracy|rate|f1|precision|recall/i.test(key) && value >= 0 && value <= 1)
    return `${(value * 100).toFixed(1)}%`
  return Number.isInteger(value) ? value.toLocaleString('en') : String(Number(value.toPrecision(4)))
}

const metricNames: Record<string, string> = {
  testAccuracy: 'Test accuracy',
  valAccuracy: 'Validation accuracy',
  epochsDone: 'Epochs trained',
  labelledImages: 'Labelled images',
  fd: 'FD (dataset classifier)',
  classifierScore: 'Classifier score',
  conditionalAccuracy: 'Conditional accuracy',
  oodRate: 'Out-of-distribution rate'
}

/** `testAccuracy` → `Test accuracy`; unknown keys are split at their capitals. */
export const metricName = (key: string): string =>
  metricNames[key] ??
  key
    .replace(/([a-z])([A-Z])/g, (_, a: string, b: string) => `${a} ${b.toLowerCase()}`)
    .replace(/^./, (c) => c.toUpperCase())

/** The metrics an export has a value for (a classifier has no FD, a generator no accuracy). */
export const knownMetrics = (
  metrics: Record<string, number | null>
): { key: string; name: string; value: string }[] =>
  Object.entries(metrics)
    .filter(([, v]) => v !== null)
    .map(([key, v]) => ({ key, name: metricName(key), value: formatMetric(key, v) }))
