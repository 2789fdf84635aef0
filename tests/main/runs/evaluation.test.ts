import { describe, expect, it } from 'vitest'
import { classificationReport } from '../../../main/runs/evaluation'

describe('classificationReport', () => {
  // Ten images of classes a, b, c (d never occurs). Worked by hand:
  //   confusion rows (true a, b, c): [3 1 0 0], [1 1 0 0], [1 0 3 0]
  //   a: precision 3/5, recall 3/4, F1 2·.6·.75/1.35 = 2/3
  //   b: precision 1/2, recall 1/2, F1 1/2
  //   c: precision 3/3, recall 3/4, F1 2·.75/1.75 = 6/7
  //   accuracy 7/10; macro over a, b, c: P .7, R 2/3, F1 (2/3 + 1/2 + 6/7)/3
  const truth = [0, 0, 0, 1, 1, 2, 2, 2, 2, 0]
  const predicted = [0, 1, 0, 1, 0, 2, 2, 0, 2, 0]
  const report = classificationReport(['a', 'b', 'c', 'd'], truth, predicted)

  it('counts the confusion matrix with true classes as rows', () => {
    expect(report.confusion).toEqual([
      [3, 1, 0, 0],
      [1, 1, 0, 0],
      [1, 0, 3, 0],
      [0, 0, 0, 0]
    ])
    expect(report.count).toBe(10)
    expect(report.accuracy).toBeCloseTo(0.7, 12)
  })

  it('computes per-class precision, recall, F1 and support', () => {
    const [a, b, c, d] = report.perClass
    expect(a).toMatchObject({ label: 'a', support: 4 })
    expect(a.precision).toBeCloseTo(0.6, 12)
    expect(a.recall).toBeCloseTo(0.75, 12)
    expect(a.f1).toBeCloseTo(2 / 3, 12)
    expect(b).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 })
    expect(c.precision).toBe(1)
    expect(c.recall).toBeCloseTo(0.75, 12)
    expect(c.f1).toBeCloseTo(6 / 7, 12)
    expect(d).toEqual({ label: 'd', precision: 0, recall: 0, f1: 0, support: 0 })
  })

  it('macro-averages over the classes that occur', () => {
    expect(report.macro.precision).toBeCloseTo(0.7, 12)
    expect(report.macro.recall).toBeCloseTo(2 / 3, 12)
    expect(report.macro.f1).toBeCloseTo((2 / 3 + 1 / 2 + 6 / 7) / 3, 12)
  })

  it('counts a class that is predicted but never true in the macro average', () => {
    const r = classificationReport(['a', 'b'], [0, 0], [0, 1])
    expect(r.perClass[1]).toEqual({ label: 'b', precision: 0, recall: 0, f1: 0, support: 0 })
    expect(r.macro.precision).toBeCloseTo(0.5, 12) // (1 + 0) / 2
  })

  it('refuses mismatched lengths', () => {
    expect(() => classificationReport(['a'], [0, 0], [0])).toThrow(/2 true labels but 1/)
  })
})
