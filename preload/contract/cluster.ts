/**
 * Running on a Slurm cluster: the stored profiles (how to submit a job, where the shared folder
 * is, how the cluster starts the workbench), and what a run records about its job.
 */
import { z } from 'zod'

/** A profile's name: also its key on the command line (`--profile NAME`). */
export const profileNameSchema = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only')

/** One `#SBATCH` option line's value may not break out of its line or comment. */
const sbatchValue = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\n\r#]*$/, 'one line, without "#"')

/**
 * A Slurm profile: what each job asks for, the folder both this machine and the compute nodes see,
 * and how a compute node starts the same version of the workbench.
 */
export const slurmProfileSchema = z.strictObject({
  name: profileNameSchema,
  partition: sbatchValue.optional(),
  account: sbatchValue.optional(),
  qos: sbatchValue.optional(),
  /** GPUs per job (`--gres=gpu:N`); 0 asks for none. */
  gpus: z.number().int().min(0).max(16).default(0),
  /** GPU type in the gres (`gpu:a100:1`), when the cluster has several. */
  gpuType: sbatchValue.optional(),
  cpus: z.number().int().min(1).max(256).default(4),
  /** Memory per job in MiB. */
  memoryMiB: z.number().int().min(64).max(4_194_304).default(16_384),
  /** Wall-clock limit per job in minutes. */
  timeLimitMinutes: z.number().int().min(1).max(525_600).default(240),
  /**
   * Seconds before the time limit at which Slurm signals the job (USR1): it stops after its
   * current step, keeps its last checkpoint and requeues itself to go on from there.
   */
  signalSeconds: z.number().int().min(10).max(3600).default(120),
  /** Further `#SBATCH` options, one per entry, e.g. `--constraint=a100`. */
  extraSbatch: z.array(sbatchValue).max(40).default([]),
  /** A folder every compute node and this machine see at the same path (NFS, Lustre, GPFS). */
  sharedFolder: z.string().min(1).max(4096),
  /** Shell lines run before the workbench on the node, e.g. `module load nodejs/20 cuda/12`. */
  setup: z
    .array(
      z
        .string()
        .max(1000)
        .regex(/^[^\n\r]*$/, 'one line')
    )
    .max(40)
    .default([]),
  /**
   * How a compute node starts `dgmw` (the same version as here): a checkout's
   * `node /path/bin/dgmw.cjs`, or `dgmw` of an installed package. Default: this machine's.
   */
  launch: z
    .string()
    .min(1)
    .max(1000)
    .regex(/^[^\n\r]*$/, 'one line')
    .optional(),
  /** The tensor backend the jobs use (default: the node's own choice, as `--backend auto`). */
  backend: z.enum(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']).optional()
})
export type SlurmProfile = z.output<typeof slurmProfileSchema>
export type SlurmProfileInput = z.input<typeof slurmProfileSchema>

/** Slurm's own job states, as `squeue` / `scontrol` / `sacct` name them. */
export type SlurmJobState =
  | 'PENDING'
  | 'CONFIGURING'
  | 'RUNNING'
  | 'COMPLETING'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED'
  | 'TIMEOUT'
  | 'PREEMPTED'
  | 'NODE_FAIL'
  | 'OUT_OF_MEMORY'
  | 'BOOT_FAIL'
  | 'DEADLINE'
  | 'REQUEUED'
  | 'REQUEUE_HOLD'
  | 'REQUEUE_FED'
  | 'RESIZING'
  | 'SUSPENDED'
  | 'STOPPED'
  | 'SUBMITTING'
  | string

/** What a run trained on a cluster records about its job (kept on its headline). */
export interface ClusterJob {
  executor: 'slurm'
  profile: string
  /** Slurm's job id (`1234`, or `1234_5` for a task of a job array); absent until submitted. */
  jobId?: string
  /** The job's state as Slurm last said it. */
  state?: SlurmJobState
  /** Why it waits (PENDING: Resources, Priority, PartitionTimeLimit, …), as Slurm says it. */
  reason?: string
  /** The node it runs (or ran) on. */
  node?: string
  /** Times the job was requeued (time limit, preemption, `scontrol requeue`) and went on. */
  requeues?: number
  /** The run's folder on the shared filesystem (checkpoints, metrics stream). */
  folder: string
  /** The job's error log (Slurm's `--error`), whose last lines a failed run shows. */
  log?: string
  /** Bytes of the run's metrics stream the workbench has recorded (a restart goes on there). */
  ingested?: number
}

/** What `cluster/testProfile` found: the job it submitted, where it ran and what it said. */
export interface ProfileTestReport {
  profile: string
  ok: boolean
  jobId: string | null
  node: string | null
  /** The version the node runs, and this machine's. */
  nodeVersion: string | null
  localVersion: string
  /** Seconds from submission to the job's end. */
  seconds: number
  /** What went wrong, in words that say what to change; null when ok. */
  problem: string | null
}
