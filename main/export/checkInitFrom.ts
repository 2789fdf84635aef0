/**
 * Checks, when a fine-tuning run is queued, that the export it starts from fits it (a TF.js
 * classifier of the same preset, trained at the dataset's image size), so a mismatch is refused
 * with a message before a run is recorded rather than failing later in the engine.
 */
import { resolve } from 'node:path'
import type { ClassifierConfig } from '../../preload/contract'
import type { DatasetData } from '../engine/engineMessages'
import { UserError } from '../platform/userError'
import { readExportMetadata, tfjsClassifierOf } from '../engine/export/exportMetadata'

/** Returns the export folder's absolute path (what the run's config stores). */
export function checkInitFrom(config: ClassifierConfig, data: DatasetData): string {
  const dir = resolve(config.initFrom!)
  let metadata
  try {
    metadata = readExportMetadata(dir)
    tfjsClassifierOf(metadata, dir)
  } catch (error) {
    throw new UserError((error as Error).message)
  }
  if (metadata.preset !== config.preset)
    throw new UserError(
      `The export in ${dir} is a ${metadata.preset}; set the preset to ${metadata.preset} to fine-tune it.`
    )
  const { height, width, channels } = metadata.input
  if (height !== data.height || width !== data.width || channels !== data.channels)
    throw new UserError(
      `The export in ${dir} takes ${height}×${width}×${channels} images; this dataset's are ` +
        `${data.height}×${data.width}×${data.channels}. Import the dataset at that size and channel count.`
    )
  return dir
}
