/**
 * The headless app: run store, engine worker, event bus and the contract's handlers, wired once.
 * The Electron host, browser mode and tests each create one and attach their transport to it.
 */
import { join } from 'node:path'
import type { BackendName } from '../../preload/contract'
import { sweepLeftovers } from '../datasets/cacheFolders'
import { createDatasetService } from '../datasets/datasetService'
import { startEngine, type EngineHost } from '../engine/engineHost'
import { UserError } from '../platform/userError'
import { databaseFileName, ensureDataDir } from '../platform/dataDir'
import { openRunStore } from '../store/runStore'
import { createExportService } from '../export/exportService'
import { createPredictService } from '../predict/predictService'
import { createExplainService } from '../explain/explainService'
import { createGenerativeService } from '../runs/generativeRuns'
import { createLabelBudgetService } from '../runs/labelBudgetExperiment'
import { createRunService, type RunService } from '../runs/runService'
import { clusterProfiles } from '../cluster/profiles'
import { createSlurmExecutor, type PollCost } from '../cluster/slurmExecutor'
import { watchOtherProcesses } from '../runs/otherProcessWatcher'
import { createDispatcher } from './dispatcher'
import { EventBus } from '../platform/eventBus'
import { createHandlers } from './handlers'
import type { Workbench } from './workbenchServices'

export interface WorkbenchOptions {
  dataDir: string
  /** From `--backend` / DGMW_BACKEND: beats the setting saved from the UI. */
  backend?: BackendName
  /** better-sqlite3 addon for the current runtime (the Electron host passes its own build). */
  sqliteBinding?: string
  log?: (message: string) => void
  /** The host's native folder dialog (the desktop app); absent in browser mode and tests. */
  chooseFolder?: () => Promise<string | null>
  /** The host's native save dialog (the desktop app), for export folders. */
  chooseSavePath?: (defaultName: string) => Promise<string | null>
  /**
   * Relay runs and datasets that other processes (the CLI, a second server) create and train on
   * the same data directory as events, as the UI's hosts do; the CLI's own workbench does not.
   */
  watchOtherProcesses?: boolean
  /**
   * Start the engine worker only when something first needs it, for a command that may never
   * touch a tensor (listing runs, renaming a dataset); the UI's hosts start it at once.
   */
  engineOnDemand?: boolean
  /**
   * Follow the cluster jobs no living process follows (after a restart, or when the CLI that
   * submitted them was killed), now and every little while. Default: as watchOtherProcesses.
   */
  adoptClusterRuns?: boolean
  /** Told what each poll of the cluster's jobs cost (the scale measurement, docs/cluster-scale.md). */
  onClusterPoll?: (poll: PollCost) => void
}

export function createWorkbench(options: WorkbenchOptions): Workbench {
  const dataDir = ensureDataDir(options.dataDir)
  const store = openRunStore(join(dataDir, databaseFileName), {
    nativeBinding: options.sqliteBinding
  })
  store.runs.markInterrupted()
  // After a kill: temporary files nobody will finish (never another live process's) go.
  try {
    sweepLeftovers(store, dataDir)
  } catch (error) {
    options.log?.(`Could not clear leftovers in ${dataDir}: ${(error as Error).message}`)
  }
  const bus = new EventBus()
  const launch = (): EngineHost => {
    const saved = store.settings.get<BackendName>(backendSettingKey)
    return startEngine({
      forced: options.backend ?? saved,
      forcedBy: options.backend ? 'flag' : 'setting',
      onStatus: (status) => bus.emit('engine/status', status)
    })
  }
  let started: EngineHost | undefined = options.engineOnDemand ? undefined : launch()
  const engine = (): EngineHost => (started ??= launch())
  /** A fresh engine (the backend setting changed, or the GPU was lost); the old one ends first. */
  const relaunch = async (): Promise<void> => {
    await started?.close()
    started = launch()
  }
  let closed: Promise<void> | undefined
  const datasets = createDatasetService({ store, dataDir, bus })
  const profiles = clusterProfiles(store)
  const runs = createRunService({
    store,
    dataDir,
    bus,
    engine,
    restartEngine: () => relaunch(),
    cluster: {
      profiles,
      executor: createSlurmExecutor({
        dataDir,
        workbenchId: () => profiles.workbenchId(),
        log: options.log ?? ((message) => console.error(message)),
        onPoll: options.onClusterPoll
      })
    }
  })
  const adoption =
    (options.adoptClusterRuns ?? options.watchOtherProcesses)
      ? followClusterRuns(runs, options.log)
      : undefined
  const generative = createGenerativeService({ store, dataDir, engine })
  const labelBudget = createLabelBudgetService(store, runs)
  const exports = createExportService({ store, dataDir, engine })
  const predictions = createPredictService({ store, dataDir, engine })
  const explain = createExplainService({ store, dataDir, engine })
  const watcher = options.watchOtherProcesses
    ? watchOtherProcesses({ store, bus, log: options.log })
    : undefined

  const workbench: Workbench = {
    dataDir,
    store,
    get engine() {
      return engine()
    },
    datasets,
    runs,
    generative,
    labelBudget,
    exports,
    predictions,
    explain,
    profiles,
    bus,
    dispatch: (name, args) => dispatch(name, args),
    chooseFolder: options.chooseFolder,
    chooseSavePath: options.chooseSavePath,
    async setBackend(choice) {
      if (options.backend) {
        throw new UserError(
          `The backend is forced to ${options.backend} by --backend or DGMW_BACKEND; ` +
            'restart without it to choose here.',
          'conflict'
        )
      }
      if (started?.busy() || runs.busy()) {
        throw new UserError(
          'A model is training; stop it before switching the backend.',
          'conflict'
        )
      }
      store.settings.set(backendSettingKey, choice === 'auto' ? undefined : choice)
      await relaunch()
      return engine().ready()
    },
    close() {
      closed ??= (async () => {
        if (adoption) clearInterval(adoption)
        watcher?.close()
        runs.close()
        await started?.close()
        store.close()
      })()
      return closed
    }
  }
  const dispatch = createDispatcher(createHandlers(workbench), options.log, dataDir)
  return workbench
}

/**
 * Adopts orphaned cluster runs at once and then every 15 s: a `dgmw train --executor slurm`
 * killed in its terminal leaves its job running, and the open app takes over recording it.
 */
function followClusterRuns(runs: RunService, log?: (message: string) => void): NodeJS.Timeout {
  const adopt = (): void => {
    try {
      runs.adoptClusterRuns()
    } catch (error) {
      log?.(`Could not follow cluster runs: ${(error as Error).message}`)
    }
  }
  adopt()
  return setInterval(adopt, 15_000).unref()
}

/** Settings key of the backend chosen in the UI ('auto' is stored as no setting). */
const backendSettingKey = 'engine.backend'
