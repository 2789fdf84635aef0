import { appVersion } from '../services/appVersion'
import { doctorReport } from '../services/doctor'
import type { Handlers } from './dispatcher'
import type { Workbench } from './workbench'

/** One handler per contract request; each is a thin call into a service. */
export function createHandlers(workbench: Workbench): Handlers {
  const { dataDir, store } = workbench
  return {
    'app/info': () => ({
      version: appVersion,
      dataDir,
      databasePath: store.file,
      platform: process.platform,
      node: process.versions.node,
      electron: process.versions.electron
    }),
    'engine/status': () => workbench.engine.status(),
    'engine/setBackend': (args) => workbench.setBackend(args.backend),
    'doctor/report': async () => doctorReport(await workbench.engine.ready(), dataDir, store.file),
    'datasets/list': () => store.listDatasets(),
    'experiments/list': () => store.listExperiments(),
    'runs/list': (args) => store.listRuns(args),
    'runs/get': (args) => store.getRun(args.id)
  }
}
