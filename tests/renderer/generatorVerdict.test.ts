import { describe, expect, it } from 'vitest'
import { adviceFor, generatorVerdict, measuredSteps } from '../../renderer/src/generatorVerdict'

describe('worse than untrained', () => {
  it('flags the issue case: FD 101 against 98.7 untrained, classifier score 1.06', () => {
    const verdict = generatorVerdict(
      'dcgan',
      { fd: 101, fdUntrained: 98.7, classifierScore: 1.06 },
      50
    )
    expect(verdict.kind).toBe('worse')
    expect(verdict.title).toBe('No better than the untrained generator.')
    expect(verdict.problem).toContain('FD 101.0 is worse than the untrained generator')
    expect(verdict.problem).toContain('classifier score of 1.06')
    expect(verdict.advice).toContain(`at least ${measuredSteps.dcgan.steps.toLocaleString()} steps`)
    expect(verdict.advice).toContain('This run took 50 steps.')
  })

  it('flags an FD that is not clearly (10%) better than untrained', () => {
    expect(generatorVerdict('vae', { fd: 92, fdUntrained: 100, classifierScore: 3 }, 10).kind).toBe(
      'worse'
    )
    expect(generatorVerdict('vae', { fd: 89, fdUntrained: 100, classifierScore: 3 }, 10).kind).toBe(
      'ok'
    )
  })

  it('flags a classifier score near 1 even when FD improved', () => {
    const verdict = generatorVerdict(
      'dcgan',
      { fd: 50, fdUntrained: 130, classifierScore: 1.2 },
      75
    )
    expect(verdict.kind).toBe('worse')
    expect(verdict.title).toBe('Samples the evaluator cannot tell apart.')
    expect(verdict.problem).not.toContain('FD')
  })

  it('does not compare FDs taken by different evaluators', () => {
    const verdict = generatorVerdict(
      'dcgan',
      {
        fd: 140,
        fdUntrained: 130,
        classifierScore: 4,
        evaluatorRunId: 3,
        fdUntrainedEvaluatorRunId: 1
      },
      500
    )
    expect(verdict.kind).toBe('ok')
  })

  it('says nothing about a generator never measured', () => {
    expect(generatorVerdict('vae', {}, undefined).kind).toBe('unknown')
  })

  it('advises from the nearest measured recipe', () => {
    expect(adviceFor('cvae', undefined)).toContain(
      `a VAE measured here first beat its untrained FD (${measuredSteps.vae.untrainedFd}) at ${measuredSteps.vae.steps} steps`
    )
    expect(adviceFor('wgan-gp', 10)).toContain('a DCGAN measured here')
  })
})
