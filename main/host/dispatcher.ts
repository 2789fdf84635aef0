/**
 * Turns a request from any transport into a handler call: checks the name, validates the arguments
 * against the contract's schema and wraps the outcome in an envelope. Transports call only this.
 */
import { z } from 'zod'
import {
  requests,
  type Envelope,
  type ErrorCode,
  type Reply,
  type RequestName,
  type ValidArgs
} from '../../preload/contract'
import { diskFullMessage, isDiskFull } from '../platform/diskFull'
import { UserError } from '../platform/userError'
import { databaseBusyError, isDatabaseBusy } from '../store/databaseBusy'

export type Handlers = {
  [N in RequestName]: (args: ValidArgs<N>) => Reply<N> | Promise<Reply<N>>
}

export type Dispatch = (name: unknown, args: unknown) => Promise<Envelope>

const fail = (code: ErrorCode, message: string): Envelope => ({
  ok: false,
  error: { code, message }
})

export function createDispatcher(
  handlers: Handlers,
  log: (message: string) => void = console.error,
  /** The data directory, named when a request fails because its disk is full. */
  dataDir?: string
): Dispatch {
  return async (name, args) => {
    if (typeof name !== 'string' || !Object.hasOwn(requests, name)) {
      return fail(
        'unknown-request',
        `Unknown request "${String(name)}". The page and the app are from different versions: reload the page.`
      )
    }
    const requestName = name as RequestName
    const parsed = requests[requestName].args.safeParse(args ?? {})
    if (!parsed.success) {
      return fail(
        'invalid-args',
        `Invalid arguments for "${requestName}": ${z.prettifyError(parsed.error)}`
      )
    }
    try {
      const handler = handlers[requestName] as (a: unknown) => unknown
      return { ok: true, value: await handler(parsed.data) }
    } catch (error) {
      if (error instanceof UserError) return fail(error.code, error.message)
      if (dataDir !== undefined && isDiskFull(error))
        return fail('failed', diskFullMessage(dataDir))
      if (isDatabaseBusy(error)) {
        const busy = databaseBusyError()
        return fail(busy.code, busy.message)
      }
      log(`Request ${requestName} failed: ${(error as Error).stack ?? String(error)}`)
      return fail(
        'failed',
        `"${requestName}" failed unexpectedly: ${(error as Error).message}. The app's log has details.`
      )
    }
  }
}
