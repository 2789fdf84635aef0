/**
 * metadata.json of an export folder: what a person (or another program) needs to feed the model
 * and read its outputs, and what the workbench reads back to predict with the folder or fine-tune
 * from it. Validated on read, so a hand-edited or foreign folder gets a message, not a crash.
 */
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { classifierPresets, exportFormats } from '../../../preload/contract'
import type { ChannelStats, Normalisation } from '../../datasets/normalize'

export const metadataFile = 'metadata.json'
/** Marks a folder as a workbench export (`--force` replaces nothing else). */
export const exportMarker = 'dgm-workbench-export'
/** A real metadata.json is a few kB; anything this big is not one (and is not read into memory). */
const maxMetadataBytes = 4 * 2 ** 20

const verificationSchema = z.object({
  runtime: z.string(),
  inputs: z.string(),
  count: z.number(),
  maxDifference: z.number(),
  tolerance: z.number(),
  sameTop1: z.number().optional()
})

export const networkSchema = z.object({
  role: z.enum(['classifier', 'generator', 'encoder', 'decoder']),
  file: z.string(),
  inputShape: z.array(z.number().nullable()),
  outputShape: z.array(z.array(z.number().nullable())),
  input: z.string(),
  output: z.string(),
  verification: verificationSchema
})

export const exportMetadataSchema = z.object({
  format: z.literal(exportMarker),
  version: z.literal(1),
  modelFormat: z.enum(exportFormats),
  name: z.string(),
  runId: z.number(),
  recipe: z.string(),
  labels: z.array(z.string()),
  input: z.object({
    height: z.number().int().positive(),
    width: z.number().int().positive(),
    channels: z.number().int().positive(),
    layout: z.literal('NHWC')
  }),
  preprocessing: z.object({
    decode: z.string(),
    /** How the image was fitted to the square input (the dataset's import setting). */
    fit: z.enum(['cover', 'contain']).default('cover'),
    normalisation: z.enum(['unit', 'symmetric', 'standardize']),
    formula: z.string(),
    mean: z.array(z.number()).optional(),
    std: z.array(z.number()).optional()
  }),
  networks: z.array(networkSchema).min(1),
  preset: z.enum(classifierPresets).nullable(),
  config: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.number().nullable()),
  dataset: z.object({ id: z.number().nullable(), name: z.string().nullable() }),
  backend: z.string().nullable(),
  codeVersion: z.string().nullable(),
  trainedAt: z.string().nullable(),
  exportedAt: z.string()
})
export type ExportMetadata = z.output<typeof exportMetadataSchema>

/** Reads and checks `<dir>/metadata.json`; the message says what is wrong and what to do. */
export function readExportMetadata(dir: string): ExportMetadata {
  const file = join(dir, metadataFile)
  let raw: unknown
  try {
    // Only a regular file is read: a FIFO would block the reading thread (the whole host) until
    // something writes to it, and /dev/zero never ends.
    const stats = statSync(file)
    if (!stats.isFile()) throw new Error('it is not a regular file')
    if (stats.size > maxMetadataBytes) throw new Error(`${stats.size} bytes is too big for one`)
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new Error(
      code === 'ENOENT'
        ? `${dir} has no ${metadataFile}, so it is not a folder the workbench exported; choose an export folder.`
        : `${file} cannot be read (${code ?? (error as Error).message}); export the run again.`,
      { cause: error }
    )
  }
  const parsed = exportMetadataSchema.safeParse(raw)
  if (!parsed.success)
    throw new Error(
      `${file} is not a workbench export's metadata (${parsed.error.issues[0]?.path.join('.')}: ` +
        `${parsed.error.issues[0]?.message}); export the run again.`
    )
  return parsed.data
}

/**
 * The classifier network of a TF.js export (what fine-tuning loads), or an error saying what
 * the folder holds instead.
 */
export function tfjsClassifierOf(
  metadata: ExportMetadata,
  dir: string
): ExportMetadata['networks'][number] {
  const network = metadata.networks.find((n) => n.role === 'classifier')
  if (metadata.modelFormat !== 'tfjs' || !network)
    throw new Error(
      `${dir} is not a TF.js classifier export (${metadata.modelFormat}, ${metadata.recipe}); ` +
        'fine-tune from a classifier run exported as TF.js.'
    )
  return network
}

/** How a person turns an image file into the model's input, in words and numbers. */
export function describePreprocessing(
  preprocessing: { normalisation: Normalisation; stats?: ChannelStats },
  shape: { height: number; width: number; channels: number },
  fit: 'cover' | 'contain'
): ExportMetadata['preprocessing'] {
  const { normalisation, stats } = preprocessing
  const formula =
    normalisation === 'unit'
      ? 'x = pixel / 255'
      : normalisation === 'symmetric'
        ? 'x = pixel / 127.5 − 1'
        : 'x = (pixel / 255 − mean[c]) / std[c] per channel c'
  return {
    decode:
      `decode the file (PNG, JPEG, WebP, GIF first frame, BMP, TIFF), convert to ` +
      `${shape.channels === 1 ? 'greyscale' : 'RGB'}, resize to ${shape.width}×${shape.height} ` +
      (fit === 'cover'
        ? 'covering the frame (centre crop'
        : 'contained in the frame (black borders') +
      ", libvips' default Lanczos-3 kernel), uint8 HWC",
    fit,
    normalisation,
    formula,
    ...(stats ? { mean: stats.mean, std: stats.std } : {})
  }
}
