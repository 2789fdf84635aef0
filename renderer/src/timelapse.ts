/**
 * Pure state of the sample-grid timelapse: the frames a generative run drew, which one is shown,
 * and whether the view follows the newest frame (it does until the person moves the slider).
 */
import type { SampleGridInfo } from '../../preload/contract'

export interface TimelapseState {
  /** Oldest first, one per step. */
  frames: SampleGridInfo[]
  /** The frame shown; -1 while there is none. */
  index: number
  /** Whether a new frame is shown as it arrives. */
  following: boolean
}

export const emptyTimelapse = (): TimelapseState => ({ frames: [], index: -1, following: true })

/**
 * Frames listed or announced, merged in step order. A step drawn again (a run resumed from its
 * checkpoint redraws the steps after it) replaces the old frame. While following, the view moves
 * to the newest frame; otherwise it stays on the frame the person chose, wherever that now sits.
 */
export function addFrames(state: TimelapseState, added: SampleGridInfo[]): TimelapseState {
  const byStep = new Map(state.frames.map((f) => [f.step, f]))
  for (const frame of added) byStep.set(frame.step, frame)
  const frames = [...byStep.values()].sort((a, b) => a.step - b.step)
  const shownStep = state.frames[state.index]?.step
  const index =
    state.following || shownStep === undefined
      ? frames.length - 1
      : frames.findIndex((f) => f.step === shownStep)
  return { frames, index, following: state.following || shownStep === undefined }
}

/** The person chose a frame: the view follows new frames again only from the newest one. */
export function selectFrame(state: TimelapseState, index: number): TimelapseState {
  if (state.frames.length === 0) return state
  const clamped = Math.max(0, Math.min(state.frames.length - 1, Math.round(index)))
  return { ...state, index: clamped, following: clamped === state.frames.length - 1 }
}

/**
 * Milliseconds per frame of a replay: the whole run in about six seconds, yet no frame faster
 * than 60 ms (it would not be seen) or slower than 400 ms (a short run would drag).
 */
export const playbackDelay = (frames: number): number =>
  Math.round(Math.min(400, Math.max(60, 6000 / Math.max(1, frames))))

/** "epoch 1.25 · step 40", or "untrained · step 0" for the first frame. */
export function frameLabel(frame: SampleGridInfo): string {
  const epoch =
    frame.step === 0 ? 'untrained' : `epoch ${Number(frame.epoch.toFixed(2)).toString()}`
  return `${epoch} · step ${frame.step.toLocaleString('en-US')}`
}
