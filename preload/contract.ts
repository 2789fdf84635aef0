/**
 * The one contract between the renderer and main: every request (name, argument schema, reply type)
 * and every event main pushes. Main, preload and renderer all import this module and nothing else
 * crosses between them. Main validates every incoming argument with these schemas; the reply types
 * are compile-time only (main produces them, so they need no runtime check).
 */
import { z } from 'zod'

/** Carries a reply type into the request table; it has no runtime value. */
function reply<T>(): T {
  return undefined as T
}

export const runStatuses = [
  'queued',
  'running',
  'paused',
  'completed',
  'stopped',
  'failed',
  'interrupted'
] as const
export type RunStatus = (typeof runStatuses)[number]

/** Tensor backends in the order the engine tries them (see docs/compute). */
export const backendNames = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const
export type BackendName = (typeof backendNames)[number]

export interface BackendRung {
  name: BackendName
  /** npm package that provides it. */
  package: string
  /** Whether it loaded (only the chosen rung and those above it are tried). */
  loaded: boolean
  /** Why it did not load, or was not tried, in words a person can act on. */
  reason?: string
  /** Package version, when installed. */
  version?: string
}

export interface EngineStatus {
  state: 'starting' | 'ready' | 'failed'
  /** The backend every run uses until the engine restarts. */
  active?: BackendName
  /** Set when a setting or `--backend` forced the choice. */
  forced?: BackendName
  /** What forced it: the `--backend` flag / DGMW_BACKEND, or the setting saved from the UI. */
  forcedBy?: 'flag' | 'setting'
  rungs: BackendRung[]
  threads: number
  error?: string
}

export interface AppInfo {
  version: string
  /** Whether main can show native dialogs (the desktop app) or not (browser mode). */
  nativeDialogs: boolean
  dataDir: string
  databasePath: string
  platform: string
  node: string
  electron?: string
}

export interface DoctorReport {
  app: { version: string; node: string; platform: string; arch: string }
  electron: { version?: string; binary?: string; usable: boolean; reason?: string }
  cpu: { model: string; threads: number; memoryGiB: number }
  gpu: { nvidiaSmi?: string; cudaLibraries: { name: string; path?: string }[] }
  engine: EngineStatus
  dataDir: { path: string; writable: boolean; databasePath: string; databaseBytes: number }
}

export interface DatasetSummary {
  id: number
  name: string
  kind: string
  sourcePath: string | null
  imageCount: number
  classNames: string[]
  width: number | null
  height: number | null
  channels: number | null
  createdAt: string
}

export type SkipReason = 'empty' | 'not-image' | 'corrupt' | 'too-large' | 'unreadable'
export type SplitName = 'train' | 'val' | 'test'

/** A file the import did not use, and why. */
export interface SkippedFile {
  /** Relative to the imported root, forward slashes. */
  path: string
  reason: SkipReason
  detail: string
}

export interface DuplicateGroup {
  paths: string[]
  /** True when every copy is in one class (one copy is used); false for conflicting labels (none used). */
  sameClass: boolean
}

/** The cleaning report of an import: every file found is either imported or listed. */
export interface ImportReport {
  dataset: DatasetSummary & { size: number; cacheFile: string }
  classes: { name: string; count: number }[]
  splits: Record<SplitName, number>
  imported: number
  skipped: SkippedFile[]
  duplicates: DuplicateGroup[]
  warnings: string[]
}

export interface DatasetDetail extends DatasetSummary {
  fit: string
  /** Images per class and split: counts[label][split]. */
  classCounts: Record<SplitName, number>[]
  splits: Record<SplitName, number>
  skipped: SkippedFile[]
  duplicates: DuplicateGroup[]
  warnings: string[]
}

export interface DatasetImage {
  idx: number
  path: string
  label: number | null
  split: SplitName
}

/** Cached pixels of some images, concatenated in the order asked, base64-encoded. */
export interface ImagePixels {
  width: number
  height: number
  channels: number
  data: string
}

export interface ExperimentSummary {
  id: number
  name: string
  datasetId: number | null
  datasetName: string | null
  runCount: number
  createdAt: string
}

export interface RunSummary {
  id: number
  name: string | null
  experimentId: number | null
  datasetId: number | null
  datasetName: string | null
  recipe: string
  seed: number
  backend: string | null
  status: RunStatus
  createdAt: string
  startedAt: string | null
  endedAt: string | null
  error: string | null
  tags: string[]
}

export interface MetricPoint {
  step: number
  epoch: number | null
  value: number
}

export interface RunDetail extends RunSummary {
  config: Record<string, unknown>
  notes: string | null
  metrics: Record<string, MetricPoint[]>
  artifacts: { kind: string; path: string; sha256: string; bytes: number }[]
}

/** On-the-fly augmentation of a run (and of the preview): every field has an 'off' default. */
export const augmentationSchema = z.strictObject({
  flip: z.boolean().default(false),
  /** Pad by this many zero pixels, then crop back at a random offset. */
  cropPadding: z.number().int().min(0).max(16).default(0),
  /** Largest rotation either way, in degrees. */
  rotateDegrees: z.number().min(0).max(45).default(0),
  /** Brightness shifted by up to ±this fraction of the range; contrast scaled by 1 ± contrast. */
  brightness: z.number().min(0).max(1).default(0),
  contrast: z.number().min(0).max(1).default(0),
  /** Side of a square zeroed at a random place (0: off). */
  cutout: z.number().int().min(0).max(64).default(0)
})
export type Augmentation = z.output<typeof augmentationSchema>

const noArgs = z.strictObject({})
const id = z.number().int().positive()
const splitName = z.enum(['train', 'val', 'test'])

export const requests = {
  'app/info': { args: noArgs, reply: reply<AppInfo>() },
  'engine/status': { args: noArgs, reply: reply<EngineStatus>() },
  /** Saves the backend choice and restarts the engine with it; replies with the new status. */
  'engine/setBackend': {
    args: z.strictObject({ backend: z.enum(['auto', ...backendNames]) }),
    reply: reply<EngineStatus>()
  },
  'doctor/report': { args: noArgs, reply: reply<DoctorReport>() },
  'datasets/list': { args: noArgs, reply: reply<DatasetSummary[]>() },
  /** Imports a folder or IDX/CIFAR files on the machine running main; progress as import/progress. */
  'datasets/import': {
    args: z.strictObject({
      path: z.string().min(1),
      importId: z.string().max(64).optional(),
      name: z.string().min(1).max(120).optional(),
      size: z.number().int().min(8).max(512).optional(),
      channels: z.union([z.literal(1), z.literal(3)]).optional(),
      fit: z.enum(['cover', 'contain']).optional(),
      unlabelled: z.boolean().optional(),
      seed: z.number().int().min(0).optional()
    }),
    reply: reply<ImportReport>()
  },
  'datasets/get': { args: z.strictObject({ id }), reply: reply<DatasetDetail>() },
  'datasets/images': {
    args: z.strictObject({
      id,
      label: z.number().int().min(0).optional(),
      split: splitName.optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200)
    }),
    reply: reply<{ total: number; items: DatasetImage[] }>()
  },
  'datasets/pixels': {
    args: z.strictObject({ id, indices: z.array(z.number().int().min(0)).min(1).max(1000) }),
    reply: reply<ImagePixels>()
  },
  'datasets/delete': { args: z.strictObject({ id }), reply: reply<void>() },
  /** Augmented copies of a few training images, for the preview grid: per image, the original then the copies. */
  'datasets/augmentPreview': {
    args: z.strictObject({
      id,
      augmentation: augmentationSchema,
      images: z.number().int().min(1).max(8).default(4),
      copies: z.number().int().min(1).max(16).default(7),
      seed: z.number().int().min(0).default(0)
    }),
    reply: reply<ImagePixels & { indices: number[] }>()
  },
  /** Browser mode: files dropped in the browser are uploaded into the data directory, then imported. */
  'uploads/begin': {
    args: z.strictObject({ name: z.string().min(1).max(120) }),
    reply: reply<{ uploadId: string }>()
  },
  'uploads/file': {
    args: z.strictObject({
      uploadId: z.string().uuid(),
      path: z.string().min(1).max(1000),
      data: z.base64()
    }),
    reply: reply<void>()
  },
  'uploads/finish': {
    args: z.strictObject({ uploadId: z.string().uuid() }),
    reply: reply<{ path: string }>()
  },
  /** Desktop app only: the native folder dialog. */
  'dialog/chooseFolder': { args: noArgs, reply: reply<{ path: string | null }>() },
  'experiments/list': { args: noArgs, reply: reply<ExperimentSummary[]>() },
  'runs/list': {
    args: z.strictObject({
      limit: z.number().int().min(1).max(100_000).optional(),
      status: z.enum(runStatuses).optional()
    }),
    reply: reply<RunSummary[]>()
  },
  'runs/get': { args: z.strictObject({ id }), reply: reply<RunDetail>() }
} as const

export const events = {
  /** The engine finished probing backends, or failed. */
  'engine/status': z.custom<EngineStatus>(),
  'run/status': z.strictObject({
    runId: id,
    status: z.enum(runStatuses),
    error: z.string().optional()
  }),
  'import/progress': z.strictObject({
    importId: z.string(),
    done: z.number().int().min(0),
    total: z.number().int().min(0),
    imagesPerSecond: z.number().min(0),
    etaSeconds: z.number().min(0).nullable()
  }),
  'train/progress': z.strictObject({
    runId: id,
    epoch: z.number().int().min(0),
    step: z.number().int().min(0),
    totalSteps: z.number().int().min(0),
    metrics: z.record(z.string(), z.number()),
    imagesPerSecond: z.number().min(0),
    etaSeconds: z.number().min(0).nullable()
  })
} as const

export type RequestName = keyof typeof requests
/** Arguments as the caller writes them. */
export type RequestArgs<N extends RequestName> = z.input<(typeof requests)[N]['args']>
/** Arguments after validation, as a handler receives them. */
export type ValidArgs<N extends RequestName> = z.output<(typeof requests)[N]['args']>
export type Reply<N extends RequestName> = (typeof requests)[N]['reply']
export type EventName = keyof typeof events
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>

export const requestNames = Object.keys(requests) as RequestName[]

export type ErrorCode = 'invalid-args' | 'unknown-request' | 'not-found' | 'conflict' | 'failed'
export interface ErrorInfo {
  code: ErrorCode
  message: string
}
/** What crosses a transport for every request: never a thrown error, always an envelope. */
export type Envelope<T = unknown> = { ok: true; value: T } | { ok: false; error: ErrorInfo }

/** Names of the Electron IPC channels; the preload is the only code that uses them. */
export const ipcChannels = { request: 'dgmw:request', event: 'dgmw:event' } as const

/** What the preload exposes on `window.dgmw`: one function per request, and an event hook. */
export type BridgeApi = {
  [N in RequestName]: (args: RequestArgs<N>) => Promise<Envelope<Reply<N>>>
} & {
  onEvent(listener: (name: EventName, payload: unknown) => void): () => void
  /** The absolute path of a File dropped onto the window (Electron's webUtils). */
  pathForFile(file: unknown): string
}

/** Browser mode: the WebSocket path and the messages that cross it. */
export const websocketPath = '/ws'
export interface WireRequest {
  id: number
  name: string
  args: unknown
}
export type WireMessage =
  ({ id: number | null } & Envelope) | { event: EventName; payload: unknown }
