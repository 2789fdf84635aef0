/** Number formats and flag parsing the bench reports share. */
import { UserError } from '../../../platform/userError'

/** --steps: a positive whole number, or undefined for the bench's default. */
export function parseSteps(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined
  const steps = Number(value)
  if (!Number.isInteger(steps) || steps < 1)
    throw new UserError(`--steps must be a positive whole number, not "${value}".`)
  return steps
}

/** Ours ÷ theirs; null without both numbers. */
export const ratio = (ours: number | null, theirs: number | undefined): number | null =>
  ours === null || !theirs ? null : ours / theirs

/** Images/s: whole numbers from 100 up, one decimal below. */
export const rate = (value: number | null | undefined): string =>
  value === null || value === undefined
    ? '-'
    : value >= 100
      ? Math.round(value).toLocaleString('en-US')
      : value.toFixed(1)

// Two decimals, but tiny ratios (the pure-JS backend) keep two significant digits instead of 0.00.
export const times = (value: number | null): string =>
  value === null ? '-' : `${value < 0.1 ? value.toPrecision(2) : value.toFixed(2)}×`
