/**
 * `dgmw explain`: the Explain panel's maps as files. Saliency maps (gradients, SmoothGrad,
 * Grad-CAM, each with the randomised-weights sanity check) or a conditional VAE's
 * counterfactuals, written as PNGs beside one explain.json with the scores.
 */
import { mkdirSync } from 'node:fs'
import { basename, extname, join, resolve } from 'node:path'
import { colourPlane, overlayPlane, type ColourMapName } from '../../../preload/colourMaps'
import {
  saliencyMethods,
  type CounterfactualReport,
  type ExplainImage,
  type ImagePixels,
  type SaliencyReport
} from '../../../preload/contract'
import { encodePng } from '../../datasets/pixelImages'
import { writeFileAtomic } from '../../platform/atomicWrite'
import { UserError } from '../../platform/userError'
import { wholeNumber, type CommandContext } from '../context'
import { formatTable, note, printablePath, printJson } from '../output'
import { withEngine } from '../workbenchClient'

export const explainHelp = `dgmw explain <run> <image…> [--method grad|smoothgrad|gradcam|counterfactual] [--class C]
             [--out DIR] [--samples N] [--noise S] [--seed S] [--no-sanity] [--classifier RUN] [--json]
  Explain a run's prediction of image files (or dataset images: index:N). Saliency methods
  (default grad) write <image>.<method>.png (the map, inferno: bright = important), an overlay on
  the image, and the same map for the model with randomised weights (Adebayo et al.'s sanity
  check; --no-sanity skips it) for class C (index or name; default: the predicted class).
  --method counterfactual (cvae and gen-bayes runs) decodes each image as every class:
  <image>.as-<class>.png and the difference to the reconstruction, judged by --classifier
  (default: the dataset's best classifier). explain.json in DIR (default explain-<run>) holds
  the probabilities and scores; --json also prints it.`

const methods = [...saliencyMethods, 'counterfactual'] as const
type Method = (typeof methods)[number]

/** Small images are written enlarged (nearest neighbour) to about 256 pixels, so they can be seen. */
const targetSize = 256

export async function explainCommand(ctx: CommandContext): Promise<number> {
  const [runText, ...imageArgs] = ctx.positionals
  const runId = wholeNumber(runText, 'run')
  if (runId === undefined || imageArgs.length === 0)
    throw new UserError('Say which run and which images: `dgmw explain <run> <image…>`.')
  const method = ((ctx.values.method as string | undefined) ?? 'grad') as Method
  if (!methods.includes(method))
    throw new UserError(`--method is one of ${methods.join(', ')}, not "${method}".`)
  const noiseText = ctx.values.noise as string | undefined
  const noise = noiseText === undefined ? undefined : Number(noiseText)
  if (noise !== undefined && !(noise >= 0 && noise <= 1))
    throw new UserError(`--noise is a fraction of the input's range in [0, 1], not "${noiseText}".`)
  const out = resolve((ctx.values.out as string | undefined) ?? `explain-${runId}`)
  const images = imageArgs.map(parseImage)
  return withEngine(ctx, async (client) => {
    const run = await client.request('runs/get', { id: runId })
    const classIndex = parseClass(ctx.values.class as string | undefined, run.classNames)
    mkdirSync(out, { recursive: true })
    const stems = uniqueStems(imageArgs)
    const entries: Record<string, unknown>[] = []
    for (const [i, image] of images.entries()) {
      const stem = join(out, stems[i])
      if (method === 'counterfactual') {
        const report = await client.request('explain/counterfactuals', {
          runId,
          image,
          ...(classIndex !== undefined ? { sourceClass: classIndex } : {}),
          ...(ctx.values.classifier !== undefined
            ? { classifierRunId: wholeNumber(ctx.values.classifier, 'classifier') }
            : {})
        })
        entries.push(await writeCounterfactual(report, imageArgs[i], stem, run.classNames))
      } else {
        const report = await client.request('explain/saliency', {
          runId,
          image,
          method,
          ...(classIndex !== undefined ? { classIndex } : {}),
          ...(ctx.values.samples !== undefined
            ? { samples: wholeNumber(ctx.values.samples, 'samples') }
            : {}),
          ...(noise !== undefined ? { noise } : {}),
          seed: wholeNumber(ctx.values.seed, 'seed') ?? 0,
          sanityCheck: ctx.values['no-sanity'] !== true
        })
        entries.push(await writeSaliency(report, imageArgs[i], stem, run.classNames))
      }
    }
    const document = { run: runId, method, out, images: entries }
    writeFileAtomic(join(out, 'explain.json'), Buffer.from(JSON.stringify(document, null, 2)))
    if (ctx.json) printJson(document)
    else printSummary(method, entries, out)
    return 0
  })
}

/** A file path, or `index:N` for image N of the run's dataset. */
function parseImage(text: string): ExplainImage {
  const index = /^index:(\d+)$/.exec(text)
  return index ? { datasetIndex: Number(index[1]) } : { path: resolve(text) }
}

function parseClass(text: string | undefined, names: string[]): number | undefined {
  if (text === undefined) return undefined
  if (/^\d+$/.test(text) && Number(text) < names.length) return Number(text)
  const found = names.findIndex((n) => n.toLowerCase() === text.toLowerCase())
  if (found < 0)
    throw new UserError(
      `--class is a class index (0–${names.length - 1}) or name (${names.join(', ')}), not "${text}".`
    )
  return found
}

/** File stems from the images' names, made unique (two folders may hold the same name). */
function uniqueStems(args: string[]): string[] {
  const seen = new Map<string, number>()
  return args.map((arg) => {
    const stem = arg.startsWith('index:')
      ? `image-${arg.slice(6)}`
      : basename(arg, extname(arg)).replace(/[^\w.-]+/g, '_')
    const n = (seen.get(stem) ?? 0) + 1
    seen.set(stem, n)
    return n === 1 ? stem : `${stem}-${n}`
  })
}

const bytes = (pixels: ImagePixels): Uint8Array => Buffer.from(pixels.data, 'base64')

/** Writes RGB (or grey) pixels as a PNG enlarged by a whole factor. */
async function writePng(
  file: string,
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number
): Promise<string> {
  const factor = Math.max(1, Math.floor(targetSize / Math.max(width, height)))
  const big = new Uint8Array(width * height * factor * factor * channels)
  for (let y = 0; y < height * factor; y++)
    for (let x = 0; x < width * factor; x++) {
      const from = (Math.floor(y / factor) * width + Math.floor(x / factor)) * channels
      big.set(pixels.subarray(from, from + channels), (y * width * factor + x) * channels)
    }
  const png = await encodePng({
    pixels: big,
    count: 1,
    width: width * factor,
    height: height * factor,
    channels
  })
  writeFileAtomic(file, png)
  return basename(file)
}

const colourFile = (file: string, plane: ImagePixels, map: ColourMapName = 'inferno') =>
  writePng(file, colourPlane(bytes(plane), map), plane.width, plane.height, 3)

const named = (names: string[], probabilities: number[]): Record<string, number> =>
  Object.fromEntries(names.map((n, c) => [n, Number(probabilities[c].toFixed(6))]))

async function writeSaliency(
  report: SaliencyReport,
  image: string,
  stem: string,
  names: string[]
): Promise<Record<string, unknown>> {
  const { width, height, channels } = report.image
  const tag = `${stem}.${report.method}`
  const files: Record<string, string> = {
    map: await colourFile(`${tag}.png`, report.trained.map),
    overlay: await writePng(
      `${tag}.overlay.png`,
      overlayPlane(bytes(report.image), channels, bytes(report.trained.map), 0.8),
      width,
      height,
      3
    )
  }
  if (report.sanity) files.randomised = await colourFile(`${tag}.randomised.png`, report.sanity.map)
  return {
    image,
    label: report.label === null ? null : names[report.label],
    predicted: names[report.predicted],
    explainedClass: names[report.classIndex],
    score: report.score,
    seconds: Number(report.seconds.toFixed(3)),
    probabilities: named(names, report.trained.probabilities),
    ...(report.layer ? { layer: report.layer } : {}),
    ...(report.smoothGrad ? { smoothGrad: report.smoothGrad } : {}),
    ...(report.sanity
      ? {
          sanityCheck: {
            rankCorrelation: Number(report.sanity.rankCorrelation.toFixed(4)),
            randomisedProbabilities: named(names, report.sanity.probabilities),
            seed: report.sanity.seed
          }
        }
      : {}),
    files
  }
}

async function writeCounterfactual(
  report: CounterfactualReport,
  image: string,
  stem: string,
  names: string[]
): Promise<Record<string, unknown>> {
  const { width, height, channels } = report.decoded
  const size = width * height * channels
  const decoded = bytes(report.decoded)
  const differences = bytes(report.differenceToReconstruction)
  const rows = []
  for (const [c, name] of names.entries()) {
    const slug = name.replace(/[^\w.-]+/g, '_')
    rows.push({
      class: name,
      file: await writePng(
        `${stem}.as-${slug}.png`,
        decoded.subarray(c * size, (c + 1) * size),
        width,
        height,
        channels
      ),
      differenceFile: await writePng(
        `${stem}.difference-${slug}.png`,
        colourPlane(
          differences.subarray(c * width * height, (c + 1) * width * height),
          'diverging'
        ),
        width,
        height,
        3
      ),
      probabilities: named(names, report.probabilities[c])
    })
  }
  return {
    image,
    label: report.label === null ? null : names[report.label],
    encodedAs: names[report.sourceClass],
    classifier: report.classifier,
    originalProbabilities: named(names, report.originalProbabilities),
    decoded: rows
  }
}

function printSummary(method: Method, entries: Record<string, unknown>[], out: string): void {
  if (method === 'counterfactual') {
    const rows = entries.flatMap((e) =>
      (e.decoded as { class: string; probabilities: Record<string, number> }[]).map((d) => [
        printablePath(String(e.image)),
        d.class,
        `${((d.probabilities[d.class] ?? 0) * 100).toFixed(1)}%`
      ])
    )
    console.log(formatTable(['image', 'decoded as', 'classifier says that class'], rows))
  } else {
    const rows = entries.map((e) => [
      printablePath(String(e.image)),
      String(e.predicted),
      String(e.explainedClass),
      e.sanityCheck
        ? (e.sanityCheck as { rankCorrelation: number }).rankCorrelation.toFixed(2)
        : '—'
    ])
    console.log(formatTable(['image', 'predicted', 'explained', 'ρ vs randomised weights'], rows))
  }
  note(`Maps and explain.json in ${out}`)
}
