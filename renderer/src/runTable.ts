/** The run table's columns and its per-place state (filters, sort, selection). */
import { reactive } from 'vue'
import { emptyFilter, type RunFilter, type RunSort, type SortKey } from './runFilters'

export interface RunColumn {
  key: SortKey
  label: string
  /** CSS grid track: fixed for numbers, flexible for text. */
  width: string
  /** Smallest width in px, for the row's minimum width (the table scrolls sideways below it). */
  min: number
  numeric?: boolean
}

/**
 * Widths chosen so every column fits the 1440 px window (1,232 px beside the sidebar) without
 * scrolling sideways; narrower windows scroll, or hide columns with the chooser.
 */
export const runColumns: RunColumn[] = [
  { key: 'id', label: '#', width: '52px', min: 52, numeric: true },
  { key: 'name', label: 'Name', width: 'minmax(128px, 2fr)', min: 128 },
  { key: 'dataset', label: 'Dataset', width: 'minmax(88px, 1fr)', min: 88 },
  { key: 'recipe', label: 'Recipe', width: '80px', min: 80 },
  { key: 'status', label: 'Status', width: '100px', min: 100 },
  { key: 'testAccuracy', label: 'Test acc', width: '72px', min: 72, numeric: true },
  { key: 'valAccuracy', label: 'Val acc', width: '72px', min: 72, numeric: true },
  // FD (dataset classifier) of a generative run with its evaluator, as `dgmw runs` lists it.
  { key: 'fd', label: 'FD', width: '80px', min: 80, numeric: true },
  { key: 'epochs', label: 'Epochs', width: '64px', min: 64, numeric: true },
  { key: 'duration', label: 'Duration', width: '84px', min: 84, numeric: true },
  { key: 'backend', label: 'Backend', width: '68px', min: 68 },
  { key: 'tags', label: 'Tags', width: 'minmax(56px, 1fr)', min: 56 },
  { key: 'notes', label: 'Notes', width: 'minmax(56px, 1.5fr)', min: 56 },
  { key: 'started', label: 'Started', width: '112px', min: 112 }
]

/**
 * The columns with the status one given a share of the spare width when a listed run trained on a
 * cluster: its Slurm job ("job 1234_0 · waiting: Priority") shows under the status. Its minimum
 * stays, so the table still fits a 1440 px window without scrolling sideways.
 */
export function withClusterStatus(columns: RunColumn[], cluster: boolean): RunColumn[] {
  if (!cluster) return columns
  return columns.map((c) => (c.key === 'status' ? { ...c, width: 'minmax(100px, 1.6fr)' } : c))
}

/** Columns that cannot be hidden: a row needs its number and name to be recognised. */
export const fixedColumns: readonly SortKey[] = ['id', 'name']

/** Width of the selection checkbox column, pinned at the left with # and Name. */
export const selectColumnWidth = 36

/** The columns shown when `hidden` are hidden (fixed ones always show). */
export const shownColumns = (hidden: ReadonlySet<SortKey>): RunColumn[] =>
  runColumns.filter((c) => fixedColumns.includes(c.key) || !hidden.has(c.key))

export const gridTemplateOf = (columns: readonly RunColumn[]): string =>
  `${selectColumnWidth}px ${columns.map((c) => c.width).join(' ')}`
export const gridMinWidthOf = (columns: readonly RunColumn[]): number =>
  selectColumnWidth + columns.reduce((sum, c) => sum + c.min, 0)

export const gridTemplate = gridTemplateOf(runColumns)
export const gridMinWidth = gridMinWidthOf(runColumns)

/** Where the column chooser remembers its choice (one choice for every runs table). */
export const hiddenColumnsKey = 'dgmw.runTable.hiddenColumns'

/** The hidden columns remembered in `storage`; anything unreadable is ignored, not an error. */
export function loadHiddenColumns(storage: Pick<Storage, 'getItem'> | undefined): Set<SortKey> {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(hiddenColumnsKey) ?? '[]')
    if (!Array.isArray(parsed)) return new Set()
    const known = new Set(runColumns.map((c) => c.key))
    return new Set(
      parsed.filter(
        (k): k is SortKey => known.has(k as SortKey) && !fixedColumns.includes(k as SortKey)
      )
    )
  } catch {
    return new Set()
  }
}

export function saveHiddenColumns(
  storage: Pick<Storage, 'setItem'> | undefined,
  hidden: ReadonlySet<SortKey>
): void {
  try {
    storage?.setItem(hiddenColumnsKey, JSON.stringify([...hidden]))
  } catch {
    // Private mode or a full quota: the choice lasts for this session only.
  }
}

const browserStorage = (): Storage | undefined =>
  typeof localStorage === 'undefined' ? undefined : localStorage

let hiddenState: Set<SortKey> | undefined
/** The hidden columns of every runs table, shared and remembered across reloads. */
export function hiddenColumns(): Set<SortKey> {
  hiddenState ??= reactive(loadHiddenColumns(browserStorage())) as Set<SortKey>
  return hiddenState
}
export function toggleColumn(key: SortKey): void {
  if (fixedColumns.includes(key)) return
  const hidden = hiddenColumns()
  if (hidden.has(key)) hidden.delete(key)
  else hidden.add(key)
  saveHiddenColumns(browserStorage(), hidden)
}

/** Runs fetched side by side in one compare tab: beyond this the curves are unreadable anyway. */
export const maxCompare = 12

export interface RunTableState {
  filter: RunFilter
  sort: RunSort
  selected: Set<number>
}

const states = new Map<string, RunTableState>()

/**
 * The state of the table shown at `place` ('runs', 'experiment:3'), kept for the session so going
 * to another section and back does not lose a filter or a selection.
 */
export function runTableState(place: string): RunTableState {
  let state = states.get(place)
  if (!state) {
    state = reactive({
      filter: emptyFilter(),
      sort: { key: 'id', direction: 'desc' },
      selected: new Set<number>()
    }) as RunTableState
    states.set(place, state)
  }
  return state
}
