/** The Slurm profiles dialog's form, and how profiles and test reports read in it. */
import {
  slurmProfileSchema,
  type ProfileTestReport,
  type SlurmProfile,
  type SlurmProfileInput
} from '../../preload/contract'

/** The form's fields: numbers as numbers, the line lists as one textarea each. */
export interface ProfileForm {
  name: string
  sharedFolder: string
  partition: string
  account: string
  gpus: number
  cpus: number
  memoryMiB: number
  timeLimitMinutes: number
  launch: string
  /** One shell line per line (`module load nodejs/20`). */
  setupText: string
  /** One `#SBATCH` option per line (`--constraint=a100`). */
  extraSbatchText: string
}

/** A new profile's form, with the contract's defaults. */
export function blankProfileForm(): ProfileForm {
  const d = slurmProfileSchema.parse({ name: 'x', sharedFolder: '/x' })
  return {
    name: '',
    sharedFolder: '',
    partition: '',
    account: '',
    gpus: d.gpus,
    cpus: d.cpus,
    memoryMiB: d.memoryMiB,
    timeLimitMinutes: d.timeLimitMinutes,
    launch: '',
    setupText: '',
    extraSbatchText: ''
  }
}

export function profileForm(p: SlurmProfile): ProfileForm {
  return {
    name: p.name,
    sharedFolder: p.sharedFolder,
    partition: p.partition ?? '',
    account: p.account ?? '',
    gpus: p.gpus,
    cpus: p.cpus,
    memoryMiB: p.memoryMiB,
    timeLimitMinutes: p.timeLimitMinutes,
    launch: p.launch ?? '',
    setupText: p.setup.join('\n'),
    extraSbatchText: p.extraSbatch.join('\n')
  }
}

/** A textarea's non-blank lines, trimmed. */
export function textLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
}

const optional = (text: string): string | undefined => text.trim() || undefined

/**
 * The profile to save: the form's fields over `base` (the profile being edited), so the settings
 * the form does not show (QOS, GPU type, signal time, backend) are kept, not dropped.
 */
export function profileFromForm(form: ProfileForm, base?: SlurmProfile): SlurmProfileInput {
  const kept = base && base.name === form.name.trim() ? base : undefined
  return {
    ...(kept ?? {}),
    name: form.name.trim(),
    sharedFolder: form.sharedFolder.trim(),
    partition: optional(form.partition),
    account: optional(form.account),
    gpus: form.gpus,
    cpus: form.cpus,
    memoryMiB: form.memoryMiB,
    timeLimitMinutes: form.timeLimitMinutes,
    launch: optional(form.launch),
    setup: textLines(form.setupText),
    extraSbatch: textLines(form.extraSbatchText)
  }
}

/** Where each contract field is edited in the form (the line lists share their textarea). */
const formFieldOf: Record<string, keyof ProfileForm> = {
  setup: 'setupText',
  extraSbatch: 'extraSbatchText'
}

/**
 * The contract's objections, keyed by the form field that shows them: "line 2: one line, without
 * "#"" for a line of a textarea. Empty when the profile is valid.
 */
export function profileErrors(
  profile: SlurmProfileInput
): Partial<Record<keyof ProfileForm, string>> {
  const parsed = slurmProfileSchema.safeParse(profile)
  if (parsed.success) return {}
  const errors: Partial<Record<keyof ProfileForm, string>> = {}
  for (const issue of parsed.error.issues) {
    const [top, index] = issue.path
    const field = formFieldOf[String(top)] ?? (String(top) as keyof ProfileForm)
    const where = typeof index === 'number' ? `line ${index + 1}: ` : ''
    errors[field] ??= `${where}${issue.message}`
  }
  return errors
}

/** 16384 → "16 GiB", 1536 → "1.5 GiB", 512 → "512 MiB". */
export function formatMemory(mib: number): string {
  if (mib < 1024) return `${mib} MiB`
  const gib = mib / 1024
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`
}

/** 240 → "4 h", 90 → "1 h 30 min", 45 → "45 min", 2880 → "2 d". */
export function formatMinutes(minutes: number): string {
  const d = Math.floor(minutes / 1440)
  const h = Math.floor((minutes % 1440) / 60)
  const m = minutes % 60
  const parts = [d ? `${d} d` : '', h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean)
  return parts.join(' ') || '0 min'
}

/** The "Run on" option for a profile. */
export const runOnLabel = (name: string): string => `${name} (Slurm)`

/** A test's outcome in sentences: where it ran and which version it found there, or the problem. */
export function testReportLines(report: ProfileTestReport): string[] {
  const seconds = `${report.seconds.toFixed(report.seconds < 10 ? 1 : 0)} s`
  const job = report.jobId ? `job ${report.jobId}` : 'no job'
  if (!report.ok)
    return [
      report.problem ?? 'The test job did not report back.',
      `${job}${report.node ? ` on ${report.node}` : ''} · ${seconds}`
    ]
  // An ok test may still differ in the commit part: an installed package on the node has none.
  const same = report.nodeVersion === report.localVersion
  return [
    `Ran as ${job} on ${report.node ?? 'an unnamed node'} in ${seconds}.`,
    `Node version ${report.nodeVersion ?? 'unknown'}, this machine ${report.localVersion}${
      same ? ' (the same)' : ' (the same release)'
    }.`
  ]
}
