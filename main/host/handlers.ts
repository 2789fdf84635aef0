import { appVersion } from '../platform/appVersion'
import { UserError } from '../platform/userError'
import { doctorReport } from '../platform/doctor'
import { userPath } from '../platform/userPath'
import { testProfile } from '../cluster/profileTest'
import type { RunSummary } from '../../preload/contract'
import type { Handlers } from './dispatcher'
import type { Workbench } from './workbenchServices'

/** A fine-tuning start's `initFrom` folder is typed by a person: `~` expands, relative is refused. */
function withTypedInitFrom<T extends { config: object }>(args: T): T {
  const { initFrom } = args.config as { initFrom?: unknown }
  return typeof initFrom === 'string'
    ? { ...args, config: { ...args.config, initFrom: userPath(initFrom) } }
    : args
}

/**
 * One handler per contract request; each is a thin call into a service. Paths arrive as a person
 * typed them and go through `userPath` here (the CLI resolves its own against the shell's folder).
 */
export function createHandlers(workbench: Workbench): Handlers {
  const { dataDir, store, datasets } = workbench
  // The UI offers Pause and Stop only for runs this process trains; another's are controlled there.
  const markElsewhere = <T extends RunSummary>(run: T): T =>
    workbench.runs.trainedElsewhere(run) ? { ...run, trainedElsewhere: true } : run
  return {
    'app/info': () => ({
      version: appVersion,
      nativeDialogs: workbench.chooseFolder !== undefined,
      dataDir,
      databasePath: store.file,
      platform: process.platform,
      node: process.versions.node,
      electron: process.versions.electron
    }),
    'engine/status': () => workbench.engine.status(),
    'engine/setBackend': (args) => workbench.setBackend(args.backend),
    'cluster/profiles': () => workbench.profiles.list(),
    'cluster/saveProfile': (args) =>
      workbench.profiles.save({ ...args, sharedFolder: userPath(args.sharedFolder) }),
    'cluster/deleteProfile': (args) => workbench.profiles.remove(args.name),
    'cluster/testProfile': (args) =>
      testProfile(workbench.profiles.get(args.name), workbench.profiles.workbenchId()),
    'doctor/report': async () => doctorReport(await workbench.engine.ready(), dataDir, store.file),
    'datasets/list': () => store.datasets.list(),
    'datasets/import': (args) => datasets.import(args),
    'datasets/get': (args) => datasets.get(args.id),
    'datasets/images': (args) => datasets.images(args),
    'datasets/pixels': (args) => datasets.pixels(args.id, args.indices),
    'datasets/delete': (args) => datasets.delete(args.id),
    'datasets/rename': (args) => datasets.rename(args.id, args.name),
    'datasets/findImported': (args) => datasets.findImported(args.path),
    'datasets/augmentPreview': (args) => datasets.augmentPreview(args),
    'uploads/begin': (args) => datasets.beginUpload(args.name),
    'uploads/file': (args) => datasets.uploadFile(args.uploadId, args.path, args.data),
    'uploads/finish': (args) => datasets.finishUpload(args.uploadId),
    'uploads/discard': (args) => datasets.discardUpload(args.path),
    'dialog/chooseFolder': async () => {
      if (!workbench.chooseFolder) {
        throw new UserError(
          'Folder dialogs exist only in the desktop app; in the browser, drop the folder or type its path.'
        )
      }
      return { path: await workbench.chooseFolder() }
    },
    'dialog/chooseSavePath': async (args) => {
      if (!workbench.chooseSavePath) {
        throw new UserError(
          'Save dialogs exist only in the desktop app; in the browser, type the folder path.'
        )
      }
      return { path: await workbench.chooseSavePath(args.defaultName) }
    },
    'experiments/list': () => store.experiments.list(),
    'runs/list': (args) => store.runs.list(args).map(markElsewhere),
    'runs/get': (args) => markElsewhere(store.runs.detail(args.id)),
    'experiments/labelBudget': (args) => workbench.labelBudget.plan(args),
    'experiments/labelBudgetResult': (args) => workbench.labelBudget.result(args.id),
    'experiments/labelBudgetPreview': (args) => workbench.labelBudget.preview(args),
    'experiments/create': (args) => {
      store.datasets.get(args.datasetId)
      return store.experiments.get(store.experiments.create(args.name, args.datasetId))
    },
    'runs/start': (args) => workbench.runs.start(withTypedInitFrom(args)),
    'runs/preview': (args) => workbench.runs.preview(withTypedInitFrom(args)),
    'runs/pause': (args) => workbench.runs.pause(args.id),
    'runs/resume': (args) => workbench.runs.resume(args.id),
    'runs/stop': (args) => workbench.runs.stop(args.id),
    'runs/update': (args) => store.runs.edit(args.id, args),
    'runs/delete': (args) => workbench.runs.delete(args.id),
    'runs/evaluation': (args) => {
      store.runs.summary(args.id)
      return store.results.getEvaluation(args.id)
    },
    'runs/evaluate': (args) => workbench.runs.evaluate(args.id),
    'runs/predictions': (args) => {
      store.runs.summary(args.id)
      return store.results.listPredictions(args.id, args)
    },
    'runs/sampleGrids': (args) => {
      store.runs.summary(args.id)
      return store.generative.listSampleGrids(args.id)
    },
    'runs/sampleGrid': (args) => workbench.generative.sampleGrid(args.id, args.step),
    'runs/generate': (args) => workbench.generative.generate(args),
    'runs/saveSamples': (args) =>
      workbench.generative.saveSamples({ ...args, out: userPath(args.out) }),
    'runs/scores': (args) => {
      store.runs.summary(args.id)
      return store.generative.listGeneratorScores(args.id)
    },
    'runs/score': (args) => workbench.generative.score(args.id, args.evaluatorRunId),
    'runs/export': (args) => workbench.exports.exportRun({ ...args, out: userPath(args.out) }),
    'exports/inspect': (args) => workbench.exports.inspect(userPath(args.path)),
    'predict/images': (args) =>
      workbench.predictions.predict({
        ...args,
        source:
          'exportDir' in args.source ? { exportDir: userPath(args.source.exportDir) } : args.source,
        paths: args.paths.map((p) => userPath(p))
      }),
    'runs/reconstructions': (args) => workbench.generative.reconstructions(args.id, args.count),
    'runs/latentMap': (args) => workbench.generative.latentMap(args.id, args.count),
    'explain/saliency': (args) => workbench.explain.saliency(args),
    'explain/traversals': (args) => workbench.explain.traversals(args),
    'explain/counterfactuals': (args) => workbench.explain.counterfactuals(args),
    'explain/prototypes': (args) => workbench.explain.prototypes(args)
  }
}
