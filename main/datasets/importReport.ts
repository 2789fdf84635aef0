/** The cleaning report's shapes: every file is either imported or listed here with a reason. */

export type SkipReason = 'empty' | 'not-image' | 'corrupt' | 'too-large' | 'unreadable'

export interface SkippedFile {
  /** Relative to the imported root, forward slashes. */
  path: string
  reason: SkipReason
  detail: string
}

export interface DuplicateGroup {
  paths: string[]
  /** True when every copy is in one class (one copy is used); false for conflicting labels (none used). */
  sameClass: boolean
}
