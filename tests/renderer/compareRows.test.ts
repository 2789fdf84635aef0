import { describe, expect, it } from 'vitest'
import type { GeneratorScores, RunDetail, RunHeadline } from '../../preload/contract'
import {
  chartsFor,
  epochAxisMax,
  evaluatorGroups,
  evaluatorOf,
  lastValue,
  recipeFamily,
  rowsFor,
  stepsTaken,
  suggestedEvaluator,
  trainedFd,
  withFdByEvaluator
} from '../../renderer/src/compareRows'

let nextId = 1
function run(
  recipe: string,
  headline: RunHeadline = {},
  extra: Partial<RunDetail> = {}
): RunDetail {
  return {
    id: nextId++,
    name: null,
    experimentId: null,
    datasetId: 1,
    datasetName: 'fashion',
    recipe,
    seed: 1,
    backend: 'wasm',
    status: 'completed',
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    endedAt: null,
    error: null,
    tags: [],
    notes: null,
    headline,
    config: {},
    codeVersion: null,
    classNames: [],
    hasCheckpoint: true,
    metrics: {},
    artifacts: [],
    ...extra
  }
}

const keys = (runs: RunDetail[]): string[] => rowsFor(runs).map((r) => r.key)

describe('metric rows per recipe family', () => {
  it('puts every recipe in its family', () => {
    expect(
      ['classifier', 'augment', 'dcgan', 'wgan-gp', 'vae', 'gen-bayes', 'vaegan'].map(recipeFamily)
    ).toEqual(['classifier', 'classifier', 'gan', 'gan', 'vae', 'vae', 'vaegan'])
  })

  it('shows no classifier rows for a set of generators', () => {
    const rows = keys([run('dcgan'), run('vae')])
    expect(rows).not.toContain('valAccuracy')
    expect(rows).not.toContain('valLoss')
    expect(rows).not.toContain('testAccuracy')
    expect(rows).toEqual(
      expect.arrayContaining([
        'fd',
        'fdUntrained',
        'classifierScore',
        'reconstruction',
        'kl',
        'dLoss',
        'gLoss'
      ])
    )
    expect(rows).not.toContain('conditionalAccuracy')
  })

  it('adds conditional accuracy for conditional recipes and test accuracy for classifying ones', () => {
    expect(keys([run('cgan')])).toContain('conditionalAccuracy')
    expect(keys([run('cgan')])).not.toContain('testAccuracy')
    expect(keys([run('acgan')])).toContain('testAccuracy')
  })

  it('shows only classifier rows for classifiers', () => {
    const rows = keys([run('classifier'), run('classifier')])
    expect(rows).toEqual([
      'testAccuracy',
      'valAccuracy',
      'valLoss',
      'trainAccuracy',
      'trainLoss',
      'imagesPerSecond'
    ])
  })

  it('reads losses from the epoch series, else the step series', () => {
    const r = run(
      'dcgan',
      {},
      {
        metrics: {
          'train/d/loss': [
            { step: 25, epoch: 0, value: 1.2 },
            { step: 50, epoch: 1, value: 1.1 }
          ],
          'g/loss': [{ step: 50, epoch: 1, value: 0.7 }]
        }
      }
    )
    expect(lastValue(r, 'd/loss')).toBe(1.1)
    expect(lastValue(r, 'g/loss')).toBe(0.7)
    expect(stepsTaken(r)).toBe(50)
  })

  it('has no trained FD while a run trains: the headline holds the untrained one', () => {
    expect(
      trainedFd(run('dcgan', { fd: 98.7, fdUntrained: 98.7 }, { status: 'running' }))
    ).toBeUndefined()
    expect(trainedFd(run('dcgan', { fd: 80, fdUntrained: 98.7 }))).toBe(80)
  })
})

describe('evaluators', () => {
  it('groups generators by the classifier that measured them and warns when they differ', () => {
    const a = run('vae', { fd: 50, evaluatorRunId: 1 })
    const b = run('dcgan', { fd: 60, evaluatorRunId: 3 })
    const c = run('dcgan', { fd: 70, evaluatorRunId: 3 })
    const groups = evaluatorGroups([a, b, c, run('classifier')])
    expect([...groups.groups]).toEqual([
      [1, [a.id]],
      [3, [b.id, c.id]]
    ])
    expect(groups.mixed).toBe(true)
    expect(groups.warning).toContain('classifier run #1')
    expect(groups.warning).toContain('classifier run #3')
    expect(suggestedEvaluator(groups)).toBe(3)
  })

  it('does not warn when one classifier measured them all', () => {
    const groups = evaluatorGroups([
      run('vae', { fd: 5, evaluatorRunId: 2 }),
      run('dcgan', { fd: 6, evaluatorRunId: 2 })
    ])
    expect(groups.mixed).toBe(false)
    expect(groups.warning).toBe('')
  })

  it('falls back to the evaluator the config asked for, and counts unknown ones as different', () => {
    const asked = run('vae', { fd: 5 }, { config: { evaluatorRunId: 4 } })
    expect(evaluatorOf(asked)).toBe(4)
    const unknown = run('vae', { fd: 5 })
    expect(evaluatorGroups([asked, unknown]).mixed).toBe(true)
    expect(evaluatorOf(run('vae'))).toBeUndefined()
  })

  it("marks an untrained FD taken by another evaluator than the run's latest scores", () => {
    const row = rowsFor([run('vae')]).find((r) => r.key === 'fdUntrained')!
    const remeasured = run('vae', {
      fd: 40,
      fdUntrained: 2.2,
      evaluatorRunId: 1,
      fdUntrainedEvaluatorRunId: 2
    })
    expect(row.format(remeasured)).toBe('2.2 (by #2)')
    expect(
      row.format(
        run('vae', { fd: 40, fdUntrained: 2.2, evaluatorRunId: 2, fdUntrainedEvaluatorRunId: 2 })
      )
    ).toBe('2.2')
  })

  it('charts FD once per evaluator, never two evaluators on one axis', () => {
    const scores = (evaluatorRunId: number, step: number, fd: number): GeneratorScores => ({
      evaluatorRunId,
      step,
      fd,
      classifierScore: 2,
      samples: 2000
    })
    const a = run(
      'vae',
      {},
      { metrics: withFdByEvaluator({}, [scores(1, 0, 140), scores(1, 200, 45)]) }
    )
    const b = run(
      'dcgan',
      {},
      {
        metrics: withFdByEvaluator({}, [scores(3, 200, 54), scores(3, 0, 130)])
      }
    )
    expect(a.metrics['score/fd@1'].map((p) => p.value)).toEqual([140, 45])
    expect(b.metrics['score/fd@3'].map((p) => p.step)).toEqual([0, 200])
    const charts = chartsFor([a, b])
    const fd = charts.filter((c) => c.series.startsWith('score/fd@'))
    expect(fd.map((c) => [c.series, c.runIds])).toEqual([
      ['score/fd@1', [a.id]],
      ['score/fd@3', [b.id]]
    ])
    expect(charts.map((c) => c.series)).not.toContain('val/loss')
    expect(charts.find((c) => c.series === 'loss')?.runIds).toEqual([a.id])
    expect(charts.find((c) => c.series === 'd/loss')?.runIds).toEqual([b.id])
  })

  it('gives a one-epoch chart an axis of two values', () => {
    expect(epochAxisMax([1])).toBe(2)
    expect(epochAxisMax([1, 5, 3])).toBe(5)
  })
})
