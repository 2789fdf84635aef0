/**
 * Sorting and filtering of run lists, kept out of components so they can be unit-tested and so
 * the 5,000-row table only re-sorts when its inputs change.
 */
import {
  isLiveStatus,
  type EventPayload,
  type RunHeadline,
  type RunStatus,
  type RunSummary
} from '../../preload/contract'
import { runDuration } from './format'

export type SortKey =
  | 'id'
  | 'name'
  | 'dataset'
  | 'recipe'
  | 'status'
  | 'testAccuracy'
  | 'valAccuracy'
  | 'fd'
  | 'epochs'
  | 'duration'
  | 'backend'
  | 'tags'
  | 'notes'
  | 'started'

export type SortDirection = 'asc' | 'desc'

export interface RunSort {
  key: SortKey
  direction: SortDirection
}

export interface RunFilter {
  /** Words that must all appear in the run's name, id, dataset, recipe, tags or notes. */
  text: string
  status: RunStatus | ''
  recipe: string
  /** A run must carry every chosen tag. */
  tags: string[]
}

export const emptyFilter = (): RunFilter => ({ text: '', status: '', recipe: '', tags: [] })

/** The name a person knows a run by: its own name, else its number and recipe. */
export const runTitle = (run: RunSummary): string => run.name ?? `#${run.id} ${run.recipe}`

/** The value a column sorts by; null sorts last in either direction (unknown is not "small"). */
export function sortValue(run: RunSummary, key: SortKey, now = Date.now()): string | number | null {
  switch (key) {
    case 'id':
      return run.id
    case 'name':
      return runTitle(run).toLowerCase()
    case 'dataset':
      return run.datasetName?.toLowerCase() ?? null
    case 'recipe':
      return run.recipe
    case 'status':
      return run.status
    case 'testAccuracy':
      return run.headline.testAccuracy ?? null
    case 'valAccuracy':
      return run.headline.valAccuracy ?? null
    case 'fd':
      return runFd(run) ?? null
    case 'epochs':
      return run.headline.epochsDone ?? null
    case 'duration':
      return runDuration(run.startedAt, run.endedAt, now)
    case 'backend':
      return run.backend
    case 'tags':
      return run.tags.length ? run.tags.join(' ').toLowerCase() : null
    case 'notes':
      return run.notes?.toLowerCase() || null
    case 'started':
      return run.startedAt
  }
}

/** A sorted copy; ties keep the newest run (highest id) first so the order is stable. */
export function sortRuns(
  runs: readonly RunSummary[],
  sort: RunSort,
  now = Date.now()
): RunSummary[] {
  const sign = sort.direction === 'asc' ? 1 : -1
  // Decorate once: sorting 5,000 rows calls the comparator ~60,000 times.
  const keyed = runs.map((run) => ({ run, value: sortValue(run, sort.key, now) }))
  keyed.sort((a, b) => {
    if (a.value === b.value) return b.run.id - a.run.id
    if (a.value === null) return 1
    if (b.value === null) return -1
    const order =
      typeof a.value === 'number' && typeof b.value === 'number'
        ? a.value - b.value
        : String(a.value).localeCompare(String(b.value))
    return order * sign || b.run.id - a.run.id
  })
  return keyed.map((k) => k.run)
}

/** Clicking a header: a new column sorts its natural way (numbers high first), the same one flips. */
export function nextSort(current: RunSort, key: SortKey): RunSort {
  if (current.key === key) return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' }
  const textual: SortKey[] = ['name', 'dataset', 'recipe', 'status', 'backend', 'tags', 'notes']
  // FD: lower is better, so the best generators come first.
  return { key, direction: textual.includes(key) || key === 'fd' ? 'asc' : 'desc' }
}

function haystack(run: RunSummary): string {
  return [`#${run.id}`, runTitle(run), run.datasetName, run.recipe, ...run.tags, run.notes]
    .filter(Boolean)
    .join('\n')
    .toLowerCase()
}

export function matchesFilter(run: RunSummary, filter: RunFilter): boolean {
  if (filter.status && run.status !== filter.status) return false
  if (filter.recipe && run.recipe !== filter.recipe) return false
  if (filter.tags.some((tag) => !run.tags.includes(tag))) return false
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return true
  const text = haystack(run)
  return words.every((word) => text.includes(word))
}

export const filterRuns = (runs: readonly RunSummary[], filter: RunFilter): RunSummary[] =>
  runs.filter((run) => matchesFilter(run, filter))

export const isFiltering = (filter: RunFilter): boolean =>
  Boolean(filter.text.trim() || filter.status || filter.recipe || filter.tags.length)

/** Every tag in use, most used first, for the tag chips. */
export function tagCounts(runs: readonly RunSummary[]): { tag: string; count: number }[] {
  const counts = new Map<string, number>()
  for (const run of runs) for (const tag of run.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1)
  return [...counts]
    .map(([tag, count]) => ({ tag, count }))
    .sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag))
}

/** Distinct values of a field, sorted, for the filter dropdowns. */
export const distinct = (values: Iterable<string>): string[] => [...new Set(values)].sort()

/** `0.9123` → `91.2 %`; missing → `—`. */
export function formatPercent(value: number | undefined | null, digits = 1): string {
  return value === undefined || value === null ? '—' : `${(value * 100).toFixed(digits)} %`
}

/** `3/5` epochs, or `—` before the first epoch is known. */
export function formatEpochs(run: RunSummary): string {
  const { epochsDone, epochs } = run.headline
  if (epochsDone === undefined && epochs === undefined) return '—'
  return `${epochsDone ?? 0}/${epochs ?? '?'}`
}

/** The headline numbers an epoch-end event carries (the same mapping main stores). */
export function headlineFromEpoch(event: EventPayload<'train/epoch'>): RunHeadline {
  const m = event.metrics
  const patch: RunHeadline = {
    trainLoss: m['train/loss'],
    trainAccuracy: m['train/accuracy'],
    valLoss: m['val/loss'],
    valAccuracy: m['val/accuracy'],
    imagesPerSecond: m.images_per_second,
    epochsDone: event.epoch + 1
  }
  // Absent metrics must not erase what the headline already has.
  for (const key of Object.keys(patch) as (keyof RunHeadline)[])
    if (patch[key] === undefined) delete patch[key]
  return patch
}

/**
 * A generative run's FD (dataset classifier) after training, and the classifier run that measured
 * it. While a run trains the headline's FD is the untrained generator's, so it has none yet.
 */
export function runFd(run: RunSummary): number | undefined {
  const { fd, fdUntrained } = run.headline
  if (isLiveStatus(run.status)) return fd !== fdUntrained ? fd : undefined
  return fd
}

/** "17.8 · #3": the FD and its evaluator, for the runs table (— when not measured). */
export function formatFd(run: RunSummary): string {
  const fd = runFd(run)
  if (fd === undefined) return '—'
  const by = run.headline.evaluatorRunId
  return by === undefined ? fd.toFixed(1) : `${fd.toFixed(1)} · #${by}`
}
