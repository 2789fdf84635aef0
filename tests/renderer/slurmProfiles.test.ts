import { describe, expect, it } from 'vitest'
import { slurmProfileSchema, type ProfileTestReport } from '../../preload/contract'
import {
  blankProfileForm,
  formatMemory,
  formatMinutes,
  profileErrors,
  profileForm,
  profileFromForm,
  testReportLines,
  textLines
} from '../../renderer/src/slurmProfiles'

const stored = slurmProfileSchema.parse({
  name: 'gpu',
  sharedFolder: '/scratch/dgmw',
  partition: 'gpu',
  qos: 'high',
  gpus: 1,
  setup: ['module load nodejs/20', 'module load cuda/12'],
  extraSbatch: ['--constraint=a100']
})

describe('the Slurm profile form', () => {
  it("starts a new profile from the contract's defaults", () => {
    const form = blankProfileForm()
    expect(form).toMatchObject({ name: '', gpus: 0, cpus: 4, memoryMiB: 16384 })
    expect(form.timeLimitMinutes).toBe(240)
  })

  it('round-trips a stored profile, keeping the settings the form does not show', () => {
    const form = profileForm(stored)
    expect(form.setupText).toBe('module load nodejs/20\nmodule load cuda/12')
    const back = slurmProfileSchema.parse(profileFromForm(form, stored))
    expect(back).toEqual(stored)
    expect(back.qos).toBe('high')
  })

  it('does not carry another profile’s hidden settings into a renamed copy', () => {
    const form = { ...profileForm(stored), name: 'copy' }
    expect(profileFromForm(form, stored).qos).toBeUndefined()
  })

  it('reads textareas as trimmed non-blank lines and blanks as absent', () => {
    expect(textLines(' a \r\n\n b\n  ')).toEqual(['a', 'b'])
    const profile = profileFromForm({ ...blankProfileForm(), name: 'p', sharedFolder: ' /s ' })
    expect(profile).toMatchObject({ sharedFolder: '/s', partition: undefined, launch: undefined })
    expect(profileErrors(profile)).toEqual({})
  })

  it("shows the contract's objections on the field that edits them, with the line", () => {
    const errors = profileErrors(
      profileFromForm({
        ...blankProfileForm(),
        name: 'bad name',
        sharedFolder: '',
        cpus: Number.NaN,
        extraSbatchText: '--ok\n--x # y'
      })
    )
    expect(errors.name).toMatch(/letters, digits/)
    expect(errors.sharedFolder).toMatch(/Too small: expected string to have >=1 characters/)
    expect(errors.cpus).toMatch(/expected number, received NaN/)
    expect(errors.extraSbatchText).toBe('line 2: one line, without "#"')
  })
})

describe('profile facts in words', () => {
  it('sizes memory and time limits', () => {
    expect(formatMemory(512)).toBe('512 MiB')
    expect(formatMemory(16384)).toBe('16 GiB')
    expect(formatMemory(1536)).toBe('1.5 GiB')
    expect(formatMinutes(45)).toBe('45 min')
    expect(formatMinutes(240)).toBe('4 h')
    expect(formatMinutes(90)).toBe('1 h 30 min')
    expect(formatMinutes(2880)).toBe('2 d')
  })

  const report = (over: Partial<ProfileTestReport>): ProfileTestReport => ({
    profile: 'gpu',
    ok: true,
    jobId: '41',
    node: 'node3',
    nodeVersion: '0.9.0',
    localVersion: '0.9.0',
    seconds: 4.25,
    problem: null,
    ...over
  })

  it('reports a passed test with its node, versions and time', () => {
    expect(testReportLines(report({}))).toEqual([
      'Ran as job 41 on node3 in 4.3 s.',
      'Node version 0.9.0, this machine 0.9.0 (the same).'
    ])
  })

  it('reports a failed test by its problem first', () => {
    const lines = testReportLines(
      report({
        ok: false,
        node: null,
        nodeVersion: null,
        seconds: 31,
        problem: 'No such partition'
      })
    )
    expect(lines).toEqual(['No such partition', 'job 41 · 31 s'])
  })
})
