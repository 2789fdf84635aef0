/**
 * Reading Slurm's output, with text captured from the one-node cluster (slurm-wlm 22.05.8) in
 * captured/, and sacct's forms (accounting is off there) as Slurm's documentation prints them.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  accountingConfigured,
  maxArraySize,
  arrayIndexIn,
  askedIdsOfRow,
  isEndedState,
  normalizeReason,
  normalizeState,
  parseExitCode,
  parseSacct,
  parseSbatchId,
  parseSinfoVersion,
  parseSqueue,
  scontrolStatus,
  statusesFromRows
} from '../../../main/cluster/slurmParse'

const captured = (name: string): string => readFileSync(join(__dirname, 'captured', name), 'utf8')

describe('squeue -O rows', () => {
  it('reads states, reasons, nodes, wait statuses and restarts', () => {
    const rows = parseSqueue(captured('squeue-ended.txt'))
    const byId = new Map(rows.map((row) => [row.id, row]))
    expect(byId.get('2')).toEqual({
      id: '2',
      state: 'FAILED',
      reason: 'NonZeroExitCode',
      node: 'vm',
      exitCode: 3,
      signal: null,
      restarts: 0
    })
    // Cancelled by scancel: the wait status is signal 15; it had been requeued once.
    expect(byId.get('11')).toMatchObject({ state: 'CANCELLED', exitCode: 0, signal: 15 })
    expect(byId.get('11')?.restarts).toBe(1)
    expect(byId.get('13_1')).toMatchObject({ state: 'COMPLETED', exitCode: 0, reason: null })
    // Not ended: no exit code yet, and no node.
    expect(byId.get('14')).toMatchObject({
      state: 'PENDING',
      reason: 'PartitionTimeLimit',
      node: null,
      exitCode: null
    })
  })

  it('answers every asked task of an aggregated pending array, and nothing unasked', () => {
    const rows = parseSqueue(captured('squeue-aggregated.txt'))
    const asked = new Set(['13_0', '13_3', '13_4', '12', '99'])
    const found = statusesFromRows(rows, asked, 'squeue')
    expect([...found.keys()].sort()).toEqual(['12', '13_0', '13_3'])
    expect(found.get('13_3')).toMatchObject({
      jobId: '13_3',
      state: 'PENDING',
      reason: 'Resources',
      source: 'squeue'
    })
    expect(found.get('12')).toMatchObject({ state: 'RUNNING', node: 'vm', exitCode: null })
  })
})

describe('array index lists', () => {
  it('reads ranges, steps, lists and the concurrency limit', () => {
    expect(arrayIndexIn('0-3%2', 3)).toBe(true)
    expect(arrayIndexIn('0-3%2', 4)).toBe(false)
    expect(arrayIndexIn('1,4-10:3', 7)).toBe(true)
    expect(arrayIndexIn('1,4-10:3', 8)).toBe(false)
    expect(arrayIndexIn('1,4-10:3', 1)).toBe(true)
    expect(askedIdsOfRow('5_[2-3]', new Set(['5_2', '5', '6_2']))).toEqual(['5_2'])
    expect(askedIdsOfRow('5_2', new Set(['5_2']))).toEqual(['5_2'])
    expect(askedIdsOfRow('5_3', new Set(['5_2']))).toEqual([])
  })
})

describe('scontrol show job -o', () => {
  it('reads a failed job', () => {
    expect(scontrolStatus(captured('scontrol-failed.txt'), '2')).toEqual({
      jobId: '2',
      state: 'FAILED',
      reason: 'NonZeroExitCode',
      node: 'vm',
      exitCode: 3,
      signal: null,
      restarts: 0,
      source: 'scontrol'
    })
  })

  it('finds an array task by array and task id, not by its internal JobId', () => {
    const text = captured('scontrol-array.txt')
    expect(text.split('\n').filter(Boolean)).toHaveLength(4)
    expect(scontrolStatus(text, '13_1')).toMatchObject({ jobId: '13_1', state: 'COMPLETED' })
    // Task 13_1 is JobId=16 inside Slurm: asking for '16' must not find it.
    expect(scontrolStatus(text, '16')).toBeNull()
    expect(scontrolStatus(text, '13_9')).toBeNull()
  })

  it('reads cancelled jobs: the signal, the restarts, the reason kept from pending', () => {
    expect(scontrolStatus(captured('scontrol-cancelled.txt'), '12')).toMatchObject({
      state: 'CANCELLED',
      exitCode: 0,
      signal: 15
    })
    expect(scontrolStatus(captured('scontrol-requeued-cancelled.txt'), '11')).toMatchObject({
      state: 'CANCELLED',
      restarts: 1
    })
    expect(scontrolStatus(captured('scontrol-cancelled-while-pending.txt'), '14')).toMatchObject({
      state: 'CANCELLED',
      reason: 'PartitionTimeLimit',
      node: null
    })
  })

  it('keeps values with spaces whole', () => {
    const line =
      'JobId=7 JobName=a b JobState=RUNNING Reason=None NodeList=n[1-2] ExitCode=0:0 Restarts=2 Command=/x y/run.sh WorkDir=/x y'
    expect(scontrolStatus(line, '7')).toMatchObject({
      state: 'RUNNING',
      node: 'n[1-2]',
      restarts: 2
    })
  })
})

describe('sacct -n -P -X', () => {
  it("reads 'CANCELLED by 0', '+' suffixes and aggregated pending arrays", () => {
    const text = [
      '40|CANCELLED by 0|0:15|node7|None',
      '41|FAILED|2:0|node[3-4]|NonZeroExitCode',
      '42_[1-3]|PENDING|0:0|None assigned|Priority',
      '43|TIMEOUT+|0:0|node1|TimeLimit',
      ''
    ].join('\n')
    const found = statusesFromRows(parseSacct(text), new Set(['40', '41', '42_2', '43']), 'sacct')
    expect(found.get('40')).toMatchObject({ state: 'CANCELLED', exitCode: 0, signal: 15 })
    expect(found.get('41')).toMatchObject({ state: 'FAILED', exitCode: 2, node: 'node[3-4]' })
    expect(found.get('42_2')).toMatchObject({ state: 'PENDING', reason: 'Priority', node: null })
    expect(found.get('43')).toMatchObject({ state: 'TIMEOUT', source: 'sacct' })
  })
})

describe('small readers', () => {
  it('normalizes states and reasons', () => {
    expect(normalizeState('CANCELLED by 0')).toBe('CANCELLED')
    expect(normalizeState('COMPLETED+')).toBe('COMPLETED')
    expect(normalizeReason('(Resources)')).toBe('Resources')
    expect(normalizeReason('None')).toBeNull()
    expect(normalizeReason('(null)')).toBeNull()
    expect(parseExitCode('0:9', true)).toEqual({ exitCode: 0, signal: 9 })
    expect(parseExitCode('0:0', false)).toEqual({ exitCode: null, signal: null })
  })

  it('tells ended states from the others', () => {
    for (const s of ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY'])
      expect(isEndedState(s)).toBe(true)
    for (const s of ['BOOT_FAIL', 'DEADLINE', 'PREEMPTED', 'CANCELLED by 0'])
      expect(isEndedState(s)).toBe(true)
    for (const s of ['PENDING', 'RUNNING', 'COMPLETING', 'REQUEUED', 'SUSPENDED', 'CONFIGURING'])
      expect(isEndedState(s)).toBe(false)
  })

  it('reads sbatch ids, the version and whether accounting is on', () => {
    expect(parseSbatchId('1234\n')).toBe('1234')
    expect(parseSbatchId('1234;dgmw\n')).toBe('1234')
    expect(parseSbatchId('sbatch: error: x\n')).toBeNull()
    expect(parseSinfoVersion(captured('sinfo-version.txt'))).toBe('22.05.8')
    expect(parseSinfoVersion('slurm 23.11.4\n')).toBe('23.11.4')
    const config = captured('scontrol-show-config.txt')
    expect(accountingConfigured(config)).toBe(false)
    expect(
      accountingConfigured(config.replace('accounting_storage/none', 'accounting_storage/slurmdbd'))
    ).toBe(true)
  })

  it("reads the cluster's MaxArraySize, or says it is not there", () => {
    expect(maxArraySize('MaxArraySize            = 1001\nMaxJobCount = 10000\n')).toBe(1001)
    expect(maxArraySize('JobCompType = jobcomp/none\nMaxArraySize = 40001\n')).toBe(40001)
    expect(maxArraySize(captured('scontrol-show-config.txt'))).toBeNull()
  })
})
