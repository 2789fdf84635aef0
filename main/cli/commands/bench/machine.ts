/** The machine a bench ran on, recorded beside its numbers, and how busy it was. */
import { cpus, totalmem } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'

export interface BenchMachine {
  cpu: string
  threads: number
  memoryGiB: number
  node: string
  platform: string
  date: string
  /** Cores other processes kept busy in the second before the bench; they skew every number. */
  busyCores: number
}

export function machineOf(threads: number, busy: number): BenchMachine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    threads,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
    busyCores: Math.round(busy * 100) / 100
  }
}

/** PyTorch uses every core, so a busy machine hurts it (and the ratios) most. */
export function busyMachineWarning(machine: BenchMachine): string | undefined {
  if (machine.busyCores < 0.25) return undefined
  return `Other processes kept ${machine.busyCores} of ${machine.threads} cores busy as the bench started; rerun it on an idle machine for numbers to rely on.`
}

/** How many cores' worth of CPU time the machine spent outside idle over `ms`. */
export async function busyCores(ms = 1000): Promise<number> {
  const sample = (): { idle: number; total: number }[] =>
    cpus().map(({ times: t }) => ({
      idle: t.idle,
      total: t.user + t.nice + t.sys + t.idle + t.irq
    }))
  const before = sample()
  await sleep(ms)
  return sample().reduce((sum, now, i) => {
    const total = now.total - (before[i]?.total ?? now.total)
    return total > 0 ? sum + 1 - (now.idle - before[i].idle) / total : sum
  }, 0)
}
