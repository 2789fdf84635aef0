import { describe, expect, it } from 'vitest'
import {
  LiveSeries,
  downsample,
  epochPoints,
  progressFraction,
  stepPoints
} from '../../renderer/src/runLive'

const progress = (step: number, loss: number) => ({
  runId: 1,
  epoch: 0,
  epochs: 2,
  step,
  totalSteps: 100,
  metrics: { loss, lr: 0.01 },
  imagesPerSecond: 500,
  elapsedSeconds: 3,
  etaSeconds: 10
})

describe('run tab live series', () => {
  it('downsamples by averaging equal buckets and leaves short series alone', () => {
    const points = Array.from({ length: 10 }, (_, i) => [i, i * 2] as [number, number])
    expect(downsample(points, 20)).toEqual(points)
    expect(downsample(points, 5)).toEqual([
      [0.5, 1],
      [2.5, 5],
      [4.5, 9],
      [6.5, 13],
      [8.5, 17]
    ])
    expect(
      downsample(
        Array.from({ length: 50_001 }, (_, i) => [i, 1]),
        1500
      )
    ).toHaveLength(1500)
  })

  it('appends live events after the history and drops ones the history already has', () => {
    const live = new LiveSeries({ loss: [{ step: 10, epoch: 0, value: 1.5 }] })
    live.addProgress(progress(10, 9)) // raced the history load: already stored
    live.addProgress(progress(20, 1.2))
    live.addEpoch({ runId: 1, epoch: 0, step: 20, metrics: { 'val/accuracy': 0.8, lr: 0.01 } })
    expect(stepPoints(live.series.loss)).toEqual([
      [10, 1.5],
      [20, 1.2]
    ])
    expect(epochPoints(live.series['val/accuracy'])).toEqual([[1, 0.8]])
    expect(live.series['epoch/lr']).toEqual([{ step: 20, epoch: 0, value: 0.01 }])
    expect(live.series.lr).toHaveLength(2)
  })

  it('moves the diversity series with every new sample grid', () => {
    const live = new LiveSeries({})
    live.addSampleGrid({ runId: 1, step: 0, epoch: 0, rows: 8, cols: 8, diversity: 0.1 })
    live.addSampleGrid({ runId: 1, step: 50, epoch: 0.5, rows: 8, cols: 8, diversity: 2.5 })
    expect(stepPoints(live.series['samples/diversity'])).toEqual([
      [0, 0.1],
      [50, 2.5]
    ])
  })

  it('does not share arrays with the history it started from', () => {
    const history = { loss: [{ step: 1, epoch: 0, value: 2 }] }
    new LiveSeries(history).addProgress(progress(5, 1))
    expect(history.loss).toHaveLength(1)
  })

  it('reports the share of steps done', () => {
    expect(progressFraction(progress(25, 1))).toBe(0.25)
    expect(progressFraction({ ...progress(0, 1), totalSteps: 0 })).toBe(0)
  })
})
