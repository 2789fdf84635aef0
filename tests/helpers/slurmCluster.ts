/**
 * The real one-node Slurm cluster the cluster tests submit to: `scripts/slurm-cluster.sh start`
 * (root, slurm-wlm and munge), once per test process. It does not skip: a machine that cannot run
 * the cluster fails these tests with the script's own words.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'

const script = join(__dirname, '../../scripts/slurm-cluster.sh')
let started: Promise<string> | null = null

/** Starts (or finds) the cluster, sets process.env.SLURM_CONF for Slurm's commands, returns it. */
export function ensureSlurmCluster(): Promise<string> {
  started ??= new Promise<string>((resolve, reject) => {
    // The script waits up to 30 s for the node and up to 60 s for another starter's lock.
    execFile('bash', [script, 'start'], { timeout: 120_000 }, (error, stdout, stderr) => {
      const last = stdout.trim().split('\n').pop() ?? ''
      const conf = /^SLURM_CONF=(.+)$/.exec(last)?.[1]
      if (error || !conf) {
        reject(
          new Error(
            `scripts/slurm-cluster.sh start could not start the Slurm cluster: ` +
              `${stderr.trim() || error?.message || `it printed "${last}"`}`
          )
        )
        return
      }
      process.env.SLURM_CONF = conf
      resolve(conf)
    })
  })
  return started
}
