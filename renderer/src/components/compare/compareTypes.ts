import type { RunDetail } from '../../../../preload/contract'

/** A loaded run of the compare tab with the colour it has in every chart and table. */
export interface ComparedRun {
  run: RunDetail
  colour: string
  /** Short label for legends and column heads: `#12 name`. */
  label: string
}
