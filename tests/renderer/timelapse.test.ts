import { describe, expect, it } from 'vitest'
import type { SampleGridInfo } from '../../preload/contract'
import {
  addFrames,
  emptyTimelapse,
  frameLabel,
  playbackDelay,
  selectFrame
} from '../../renderer/src/timelapse'

const frame = (step: number, epoch = step / 10): SampleGridInfo => ({
  step,
  epoch,
  rows: 8,
  cols: 8
})

describe('the sample-grid timelapse', () => {
  it('shows the newest frame as frames arrive, in step order whatever the arrival order', () => {
    let state = addFrames(emptyTimelapse(), [frame(0), frame(10)])
    expect(state.index).toBe(1)
    // A live event that raced the list, then the list itself.
    state = addFrames(state, [frame(30)])
    state = addFrames(state, [frame(20), frame(10)])
    expect(state.frames.map((f) => f.step)).toEqual([0, 10, 20, 30])
    expect(state.index).toBe(3)
    expect(state.following).toBe(true)
  })

  it('stays on the frame the person chose while new frames arrive', () => {
    let state = addFrames(emptyTimelapse(), [frame(0), frame(10), frame(20)])
    state = selectFrame(state, 0)
    expect(state.following).toBe(false)
    state = addFrames(state, [frame(30), frame(40)])
    expect(state.frames[state.index].step).toBe(0)
  })

  it('follows again once the person goes back to the newest frame', () => {
    let state = addFrames(emptyTimelapse(), [frame(0), frame(10)])
    state = selectFrame(state, 0)
    state = selectFrame(state, 1)
    expect(state.following).toBe(true)
    state = addFrames(state, [frame(20)])
    expect(state.frames[state.index].step).toBe(20)
  })

  it('replaces a step drawn again (a resumed run) instead of listing it twice', () => {
    let state = addFrames(emptyTimelapse(), [frame(0), frame(10, 1)])
    state = addFrames(state, [frame(10, 1.5)])
    expect(state.frames).toHaveLength(2)
    expect(state.frames[1].epoch).toBe(1.5)
  })

  it('clamps the slider and ignores it with no frames', () => {
    expect(selectFrame(emptyTimelapse(), 3)).toEqual(emptyTimelapse())
    const state = addFrames(emptyTimelapse(), [frame(0), frame(10)])
    expect(selectFrame(state, 7).index).toBe(1)
    expect(selectFrame(state, -2).index).toBe(0)
  })

  it('replays any run in a few seconds at a visible pace', () => {
    expect(playbackDelay(9)).toBe(400)
    expect(playbackDelay(60)).toBe(100)
    expect(playbackDelay(5000)).toBe(60)
    expect(playbackDelay(0)).toBe(400)
  })

  it('labels frames by epoch and step, the first as the untrained generator', () => {
    expect(frameLabel(frame(0, 0))).toBe('untrained · step 0')
    expect(frameLabel({ step: 1250, epoch: 1.3333333, rows: 8, cols: 8 })).toBe(
      'epoch 1.33 · step 1,250'
    )
  })
})
