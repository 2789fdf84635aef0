/**
 * What a workbench is made of: its store, engine and services, as the handlers, transports and
 * hosts see it. Kept apart from `createWorkbench` so the handlers it wires can name it.
 */
import type { BackendName, EngineStatus } from '../../preload/contract'
import type { DatasetService } from '../datasets/datasetService'
import type { EngineHost } from '../engine/engineHost'
import type { createExportService } from '../export/exportService'
import type { createPredictService } from '../predict/predictService'
import type { createExplainService } from '../explain/explainService'
import type { createGenerativeService } from '../runs/generativeRuns'
import type { createLabelBudgetService } from '../runs/labelBudgetExperiment'
import type { RunService } from '../runs/runService'
import type { clusterProfiles } from '../cluster/profiles'
import type { RunStore } from '../store/runStore'
import type { Dispatch } from './dispatcher'
import type { EventBus } from '../platform/eventBus'

export interface Workbench {
  dataDir: string
  store: RunStore
  /** The current engine (replaced when the backend setting changes). */
  readonly engine: EngineHost
  /** Imports, pages of images, pixels, renames, deletions and browser uploads of datasets. */
  datasets: DatasetService
  runs: RunService
  /** Samples, scores and files of trained generative runs. */
  generative: ReturnType<typeof createGenerativeService>
  /** Label-budget experiments: planned grids of runs and their accuracy-against-labels chart. */
  labelBudget: ReturnType<typeof createLabelBudgetService>
  /** Exports of trained runs to TF.js and ONNX folders, checked by other runtimes. */
  exports: ReturnType<typeof createExportService>
  /** Class predictions of image files and folders, by a run or an exported folder. */
  predictions: ReturnType<typeof createPredictService>
  /** Saliency maps, latent traversals, counterfactuals and class prototypes of trained runs. */
  explain: ReturnType<typeof createExplainService>
  /** Stored Slurm profiles, and this data directory's id in shared folders. */
  profiles: ReturnType<typeof clusterProfiles>
  setBackend(choice: BackendName | 'auto'): Promise<EngineStatus>
  bus: EventBus
  dispatch: Dispatch
  chooseFolder?: () => Promise<string | null>
  chooseSavePath?: (defaultName: string) => Promise<string | null>
  close(): Promise<void>
}
