import type { EngineHost } from '../compute/engineHost'
import { appVersion } from '../services/appVersion'
import { doctorReport } from '../services/doctor'
import type { RunStore } from '../store/runStore'
import type { Handlers } from './dispatcher'

/** One handler per contract request; each is a thin call into a service. */
export function createHandlers(deps: {
  dataDir: string
  store: RunStore
  engine: EngineHost
}): Handlers {
  const { dataDir, store, engine } = deps
  return {
    'app/info': () => ({
      version: appVersion,
      dataDir,
      databasePath: store.file,
      platform: process.platform,
      node: process.versions.node,
      electron: process.versions.electron
    }),
    'engine/status': () => engine.status(),
    'doctor/report': async () => doctorReport(await engine.ready(), dataDir, store.file),
    'datasets/list': () => store.listDatasets(),
    'experiments/list': () => store.listExperiments(),
    'runs/list': (args) => store.listRuns(args),
    'runs/get': (args) => store.getRun(args.id)
  }
}
