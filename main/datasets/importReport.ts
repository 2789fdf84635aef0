/** The cleaning report's shapes live in the contract; re-exported for the import code. */
export type { DuplicateGroup, SkipReason, SkippedFile } from '../../preload/contract'
