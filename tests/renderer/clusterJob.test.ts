import { describe, expect, it } from 'vitest'
import type { ClusterJob } from '../../preload/contract'
import {
  clusterJobLabel,
  clusterJobShort,
  clusterJobState,
  clusterJobText
} from '../../renderer/src/clusterJob'

const job = (over: Partial<ClusterJob> = {}): ClusterJob => ({
  executor: 'slurm',
  profile: 'gpu-a100',
  folder: '/scratch/dgmw/runs/7',
  ...over
})

describe('a cluster run beside its status', () => {
  it('names the profile and the job id, or says it is not submitted yet', () => {
    expect(clusterJobLabel(job({ jobId: '1234_0' }))).toBe('Slurm · gpu-a100 · job 1234_0')
    expect(clusterJobLabel(job())).toBe('Slurm · gpu-a100 · not submitted yet')
  })

  it('puts the job id first in the short form a narrow cell cuts at its end', () => {
    expect(clusterJobShort(job({ jobId: '1234_0' }))).toBe('job 1234_0 · Slurm · gpu-a100')
    expect(clusterJobShort(job())).toBe('Slurm · gpu-a100')
  })

  it("says why a pending job waits, in Slurm's words", () => {
    expect(clusterJobState(job({ state: 'PENDING', reason: 'Resources' }))).toBe(
      'waiting: Resources'
    )
    expect(clusterJobState(job({ state: 'PENDING' }))).toBe('waiting')
  })

  it('says where a running job runs', () => {
    expect(clusterJobState(job({ state: 'RUNNING', node: 'node17' }))).toBe('on node17')
    expect(clusterJobState(job({ state: 'RUNNING' }))).toBe('running')
  })

  it('counts requeues after the state', () => {
    expect(clusterJobState(job({ state: 'RUNNING', node: 'n1', requeues: 2 }))).toBe(
      'on n1 · requeued 2×'
    )
    expect(clusterJobState(job({ state: 'COMPLETED', requeues: 0 }))).toBe('completed')
  })

  it('puts end states in words, and unknown ones lower-cased', () => {
    expect(clusterJobState(job({ state: 'TIMEOUT' }))).toBe('timed out')
    expect(clusterJobState(job({ state: 'OUT_OF_MEMORY' }))).toBe('out of memory')
    expect(clusterJobState(job({ state: 'CANCELLED by 0' }))).toBe('cancelled')
    expect(clusterJobState(job({ state: 'SPECIAL_EXIT' }))).toBe('special exit')
  })

  it('is empty before Slurm said anything, and the whole text joins the parts', () => {
    expect(clusterJobState(job())).toBe('')
    expect(clusterJobText(job())).toBe('Slurm · gpu-a100 · not submitted yet')
    expect(clusterJobText(job({ jobId: '9', state: 'PENDING', reason: 'Priority' }))).toBe(
      'Slurm · gpu-a100 · job 9 · waiting: Priority'
    )
  })
})
