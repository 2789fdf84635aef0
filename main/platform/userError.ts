import type { ErrorCode } from '../../preload/contract'

/**
 * An error whose message is written for a person: what went wrong and what to do. The contract
 * host passes these through as they are; any other error is reported as an internal failure.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = 'failed'
  ) {
    super(message)
    this.name = 'UserError'
  }
}
