/**
 * Exports a run to a folder: the engine writes and checks the networks, this side adds
 * labels.txt, metadata.json, the model card and the confusion matrix, all inside one temporary
 * folder that becomes the export only when everything succeeded.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import type { ExportedModelInfo, ExportReport, RunDetail, ValidArgs } from '../../preload/contract'
import type { EngineHost } from '../engine/engineHost'
import type { ExportTaskResult, ModelSource } from '../engine/engineMessages'
import { runModelSource } from '../runs/modelSource'
import { UserError } from '../platform/userError'
import type { RunStore } from '../store/runStore'
import { writeFolderAtomically } from './atomicFolder'
import {
  exportMarker,
  metadataFile,
  readExportMetadata,
  type ExportMetadata
} from '../engine/export/exportMetadata'
import { confusionPng, modelCard } from './modelCard'
import { oneLine } from './plainText'

export interface ExportServiceOptions {
  store: RunStore
  dataDir: string
  engine: () => EngineHost
}

export function createExportService({ store, dataDir, engine }: ExportServiceOptions) {
  return {
    async exportRun(args: ValidArgs<'runs/export'>): Promise<ExportReport> {
      const started = performance.now()
      const { run, source, fit } = runModelSource(store, dataDir, args.id)
      const evaluation = store.results.getEvaluation(run.id)
      const labels = run.classNames
      const written = await writeFolderAtomically(
        args.out,
        { force: args.force, replaceable: isExportFolder },
        async (dir) => {
          const exported = await engine().task({
            kind: 'export',
            source,
            format: args.format,
            dir,
            fit,
            onnxMetadata: {
              labels: JSON.stringify(labels),
              recipe: run.recipe,
              run: `${run.id}${run.name ? ` (${run.name})` : ''}`,
              producer: 'DGM Workbench'
            }
          })
          const metadata = exportMetadata(run, source, exported, args)
          // One class per line: a class folder named with a line break (legal on Linux) would shift
          // every later class, so it is written on one line here; metadata.json keeps exact names.
          writeFileSync(join(dir, 'labels.txt'), labels.map(oneLine).join('\n') + '\n')
          writeFileSync(join(dir, metadataFile), JSON.stringify(metadata, null, 2) + '\n')
          writeFileSync(join(dir, 'README.md'), modelCard(metadata, evaluation))
          if (evaluation) writeFileSync(join(dir, 'confusion.png'), await confusionPng(evaluation))
          return exported
        }
      )
      const files = readdirSync(written.path).sort()
      return {
        runId: run.id,
        format: args.format,
        path: written.path,
        files,
        bytes: files.reduce((sum, f) => sum + statSync(join(written.path, f)).size, 0),
        networks: written.result.networks,
        replaced: written.replaced,
        seconds: (performance.now() - started) / 1000
      }
    },

    inspect(given: string): ExportedModelInfo {
      // Absolute, as predictions report it, so one folder is one model however it was typed.
      const path = resolve(given)
      let metadata: ExportMetadata
      try {
        metadata = readExportMetadata(path)
      } catch (error) {
        throw new UserError((error as Error).message)
      }
      const classifier = metadata.networks.find((n) => n.role === 'classifier')
      return {
        path,
        name: metadata.name,
        recipe: metadata.recipe,
        labels: metadata.labels,
        input: metadata.input,
        canPredict: classifier !== undefined,
        modelFormat: metadata.modelFormat,
        preset: metadata.preset,
        metrics: metadata.metrics
      }
    }
  }
}

/** Only an earlier export (or an empty folder) may be replaced by --force. */
function isExportFolder(dir: string): boolean {
  try {
    return readExportMetadata(dir).format === exportMarker
  } catch {
    return false
  }
}

/**
 * An export folder is shared with colleagues and papers, so by default it names no folder of this
 * machine (which would show user names and folder layouts): a fine-tuned run's `initFrom` keeps
 * only the export folder's own name. Runs hold no other paths (datasets and runs are ids).
 */
function withoutMachinePaths(config: RunDetail['config']): RunDetail['config'] {
  const { initFrom } = config as { initFrom?: unknown }
  return typeof initFrom === 'string' ? { ...config, initFrom: basename(initFrom) } : config
}

function exportMetadata(
  run: RunDetail,
  source: Exclude<ModelSource, { kind: 'exported' }>,
  exported: ExportTaskResult,
  { format, includePaths }: { format: ExportReport['format']; includePaths: boolean }
): ExportMetadata {
  const headline = run.headline
  const metric = (v: number | undefined): number | null => (v === undefined ? null : v)
  return {
    format: exportMarker,
    version: 1,
    modelFormat: format,
    name: run.name ?? `Run ${run.id}`,
    runId: run.id,
    recipe: run.recipe,
    labels: run.classNames,
    input: { ...exported.shape, layout: 'NHWC' },
    preprocessing: exported.preprocessing,
    networks: exported.networks,
    preset: source.kind === 'classifier' ? source.config.preset : null,
    config: includePaths ? run.config : withoutMachinePaths(run.config),
    metrics: {
      testAccuracy: metric(headline.testAccuracy),
      valAccuracy: metric(headline.valAccuracy),
      epochsDone: metric(headline.epochsDone),
      labelledImages: metric(headline.labelledImages),
      fd: metric(headline.fd),
      classifierScore: metric(headline.classifierScore),
      conditionalAccuracy: metric(headline.conditionalAccuracy),
      oodRate: metric(headline.oodRate)
    },
    dataset: { id: run.datasetId, name: run.datasetName },
    backend: run.backend,
    codeVersion: run.codeVersion,
    trainedAt: run.endedAt,
    exportedAt: new Date().toISOString()
  }
}
