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

export const runColumns: RunColumn[] = [
  { key: 'id', label: '#', width: '56px', min: 56, numeric: true },
  { key: 'name', label: 'Name', width: 'minmax(190px, 2fr)', min: 190 },
  { key: 'dataset', label: 'Dataset', width: 'minmax(120px, 1fr)', min: 120 },
  { key: 'recipe', label: 'Recipe', width: '84px', min: 84 },
  { key: 'status', label: 'Status', width: '104px', min: 104 },
  { key: 'testAccuracy', label: 'Test acc', width: '76px', min: 76, numeric: true },
  { key: 'valAccuracy', label: 'Val acc', width: '76px', min: 76, numeric: true },
  { key: 'epochs', label: 'Epochs', width: '68px', min: 68, numeric: true },
  { key: 'duration', label: 'Duration', width: '108px', min: 108, numeric: true },
  { key: 'backend', label: 'Backend', width: '96px', min: 96 },
  { key: 'tags', label: 'Tags', width: 'minmax(110px, 1fr)', min: 110 },
  { key: 'notes', label: 'Notes', width: 'minmax(120px, 1.5fr)', min: 120 },
  { key: 'started', label: 'Started', width: '128px', min: 128 }
]

/** Width of the selection checkbox column, pinned at the left with # and Name. */
export const selectColumnWidth = 36

export const gridTemplate = `${selectColumnWidth}px ${runColumns.map((c) => c.width).join(' ')}`
export const gridMinWidth = selectColumnWidth + runColumns.reduce((sum, c) => sum + c.min, 0)

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
