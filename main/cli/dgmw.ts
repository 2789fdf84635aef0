/**
 * `dgmw`, the workbench's command line. Every command takes --json (one JSON document on stdout);
 * errors go to stderr with a non-zero exit code and a message that says what to do.
 */
import { parseArgs } from 'node:util'
import { ContractError } from '../../preload/client'
import { parseBackendName } from '../platform/backendName'
import { resolveDataDir } from '../platform/dataDir'
import { UserError } from '../platform/userError'
import { databaseBusyError, isDatabaseBusy } from '../store/databaseBusy'
import { appVersion, codeVersion } from '../platform/appVersion'
import type { CommandContext } from './context'
import { benchCommand, benchHelp } from './commands/bench'
import { datasetsCommand, datasetsHelp } from './commands/datasets'
import { doctorCommand, doctorHelp } from './commands/doctor'
import { importCommand, importHelp } from './commands/import'
import { runsCommand, runsHelp } from './commands/runs'
import { serveCommand, serveHelp } from './commands/serve'
import { startCommand, startHelp } from './commands/start'
import { trainCommand, trainHelp } from './commands/train'
import { evalCommand, evalHelp } from './commands/eval'
import { generativeFlags } from './commands/generativeOptions'
import { sampleCommand, sampleHelp } from './commands/sample'
import { experimentCommand, experimentHelp } from './commands/experiment'
import { exportCommand, exportHelp } from './commands/export'
import { predictCommand, predictHelp } from './commands/predict'
import { slurmCommand, slurmHelp } from './commands/slurm'
import { explainCommand, explainHelp } from './commands/explain'

type Command = {
  help: string
  run: (ctx: CommandContext) => number | void | Promise<number | void>
}

const commands: Record<string, Command> = {
  start: { help: startHelp, run: startCommand },
  serve: { help: serveHelp, run: serveCommand },
  import: { help: importHelp, run: importCommand },
  datasets: { help: datasetsHelp, run: datasetsCommand },
  train: { help: trainHelp, run: trainCommand },
  eval: { help: evalHelp, run: evalCommand },
  sample: { help: sampleHelp, run: sampleCommand },
  experiment: { help: experimentHelp, run: experimentCommand },
  export: { help: exportHelp, run: exportCommand },
  predict: { help: predictHelp, run: predictCommand },
  explain: { help: explainHelp, run: explainCommand },
  runs: { help: runsHelp, run: runsCommand },
  slurm: { help: slurmHelp, run: slurmCommand },
  doctor: { help: doctorHelp, run: doctorCommand },
  bench: { help: benchHelp, run: benchCommand }
}

const globalHelp = `DGM Workbench ${appVersion} — deep generative models for image classification

Usage: dgmw <command> [options]

Commands:
${Object.values(commands)
  .map((c) => '  ' + c.help.replace(/\n/g, '\n  '))
  .join('\n')}

Options for every command:
  --data-dir DIR   where the run database and caches live (default: DGMW_HOME, else the
                   platform's app-data folder for "DGM Workbench")
  --backend B      force a tensor backend: auto, tensorflow-gpu, tensorflow, webgpu, wasm,
                   cpu (default: DGMW_BACKEND, else auto)
  --gpu NAME       the WebGPU adapter whose name contains NAME, on machines with several GPUs
                   (default: DGMW_GPU, else the high-performance one)
  --json           print one JSON document on stdout
  -h, --help       show help
  --version        print the version`

const options = {
  'data-dir': { type: 'string' },
  backend: { type: 'string' },
  gpu: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  port: { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string' },
  name: { type: 'string' },
  size: { type: 'string' },
  channels: { type: 'string' },
  fit: { type: 'string' },
  unlabeled: { type: 'boolean' },
  reimport: { type: 'boolean' },
  seed: { type: 'string' },
  steps: { type: 'string' },
  dataset: { type: 'string' },
  recipe: { type: 'string' },
  preset: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  optimizer: { type: 'string' },
  schedule: { type: 'string' },
  'weight-decay': { type: 'string' },
  momentum: { type: 'string' },
  warmup: { type: 'string' },
  patience: { type: 'string' },
  'class-weights': { type: 'boolean' },
  'labels-per-class': { type: 'string' },
  augment: { type: 'string' },
  normalisation: { type: 'string' },
  resume: { type: 'string' },
  ...generativeFlags,
  n: { type: 'string' },
  class: { type: 'string' },
  out: { type: 'string' },
  interpolate: { type: 'boolean' },
  format: { type: 'string' },
  force: { type: 'boolean' },
  'include-paths': { type: 'boolean' },
  'top-k': { type: 'string' },
  'init-from': { type: 'string' },
  'run-spec': { type: 'string' },
  executor: { type: 'string' },
  profile: { type: 'string' },
  'shared-folder': { type: 'string' },
  partition: { type: 'string' },
  account: { type: 'string' },
  qos: { type: 'string' },
  gpus: { type: 'string' },
  'gpu-type': { type: 'string' },
  cpus: { type: 'string' },
  memory: { type: 'string' },
  time: { type: 'string' },
  'signal-seconds': { type: 'string' },
  sbatch: { type: 'string', multiple: true },
  setup: { type: 'string', multiple: true },
  launch: { type: 'string' },
  'node-backend': { type: 'string' },
  method: { type: 'string' },
  samples: { type: 'string' },
  noise: { type: 'string' },
  'no-sanity': { type: 'boolean' },
  classifier: { type: 'string' }
} as const

/**
 * `--csv` names a file for `experiment`, but `predict --csv` alone means CSV on stdout: there a
 * bare `--csv` becomes `--csv=-`, so it never swallows the next image path as its value.
 */
function csvSwitch(argv: string[]): string[] {
  return argv.includes('predict') && !argv.includes('experiment')
    ? argv.map((a) => (a === '--csv' ? '--csv=-' : a))
    : argv
}

async function main(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args: csvSwitch(argv), options, allowPositionals: true, strict: true })
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nRun \`dgmw --help\` for usage.\n`)
    return 2
  }
  const { values, positionals } = parsed
  const [name, ...rest] = positionals
  if (values.version) {
    // With the commit in a checkout: a cluster profile's test compares it with the submitter's.
    console.log(codeVersion())
    return 0
  }
  if (!name || values.help) {
    console.log(name && commands[name] ? commands[name].help : globalHelp)
    return 0
  }
  const command = commands[name]
  if (!command) {
    process.stderr.write(
      `Unknown command "${name}". Commands: ${Object.keys(commands).join(', ')}. Run \`dgmw --help\`.\n`
    )
    return 2
  }
  // The engine reads it wherever it starts (this process, the app it launches, browser mode).
  if (typeof values.gpu === 'string') process.env.DGMW_GPU = values.gpu
  try {
    const ctx: CommandContext = {
      // The repeatable flags (--sbatch, --setup) are lists; `dgmw slurm` reads them as such.
      values: values as CommandContext['values'],
      positionals: rest,
      json: values.json ?? false,
      dataDir: resolveDataDir(values['data-dir']),
      backend: parseBackendName(values.backend ?? process.env.DGMW_BACKEND)
    }
    return (await command.run(ctx)) ?? 0
  } catch (error) {
    const message =
      // A request the workbench refused says why in words meant for the person at the terminal.
      error instanceof UserError || error instanceof ContractError
        ? error.message
        : // Opening the workbench writes too (runs of dead processes become interrupted).
          isDatabaseBusy(error)
          ? databaseBusyError().message
          : `Unexpected error: ${(error as Error).stack ?? String(error)}`
    process.stderr.write(`dgmw ${name}: ${message}\n`)
    return 1
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
