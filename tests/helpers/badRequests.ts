/**
 * Seeded generator of bad requests for the contract: every request name with arguments that are
 * wrong in one way (a wrong type, a missing or extra field, a huge string or number, a non-finite
 * number, a negative id, the id of a deleted run, a path outside anything sensible), names that do
 * not exist, and frames that are not requests at all. Each comes as the text or bytes a socket
 * sends, with what the server must answer. Requests that write when valid (or start long work)
 * only ever get arguments the contract or the handler must refuse, so a barrage of them must leave
 * the data directory untouched.
 */
import { requestNames, requests, type RequestArgs, type RequestName } from '../../preload/contract'

/** What the fuzzer knows about the seeded data directory. */
export interface FuzzContext {
  dataDir: string
  /** Runs that exist (classifier, generative, …). */
  runIds: number[]
  /** A run that existed and was deleted. */
  deletedRunId: number
  /** A dataset with real images in its cache. */
  datasetId: number
  /** A dataset that existed and was deleted. */
  deletedDatasetId: number
  experimentId: number
  /** Folders whose metadata.json is a FIFO or a link to /dev/zero: reading them must not hang. */
  trapDirs: string[]
}

export type Category =
  | 'valid-read'
  | 'refused-by-handler'
  | 'wrong-type'
  | 'missing-field'
  | 'extra-field'
  | 'huge-string'
  | 'huge-number'
  | 'non-finite'
  | 'negative-id'
  | 'deleted-id'
  | 'odd-path'
  | 'args-not-object'
  | 'unknown-name'
  | 'malformed-frame'
  | 'binary-frame'

export interface FuzzRequest {
  category: Category
  name: string
  /** The arguments as built (before JSON), for messages; undefined for frames that are not requests. */
  args?: unknown
  frame: string | Buffer
  binary: boolean
  /** The id the reply must carry: the request's, or null for a frame the server cannot read. */
  replyId: number | null
  /** The contract's schema accepts these arguments (the handler may still refuse them). */
  valid: boolean
}

/** Requests that write to the data directory, change the engine or start long work when valid. */
export const writingRequests: ReadonlySet<RequestName> = new Set<RequestName>([
  'engine/setBackend',
  'datasets/import',
  'datasets/rename',
  'datasets/delete',
  'uploads/begin',
  'uploads/file',
  'uploads/finish',
  'uploads/discard',
  'experiments/labelBudget',
  'experiments/create',
  'runs/start',
  'runs/pause',
  'runs/resume',
  'runs/stop',
  'runs/update',
  'runs/delete',
  'runs/evaluate',
  'runs/saveSamples',
  'runs/score',
  'runs/export',
  'cluster/saveProfile',
  'cluster/deleteProfile',
  'cluster/testProfile'
])

/**
 * Requests that start engine work when valid (a timed probe of training steps: tens of seconds on
 * the pure-JS cpu backend, one at a time), so the barrage sends them only arguments to refuse.
 */
export const longWorkRequests: ReadonlySet<RequestName> = new Set<RequestName>([
  'runs/preview',
  'experiments/labelBudgetPreview'
])

/** Requests the barrage must only ever see refused. */
export const refusedOnly = (name: string): boolean =>
  writingRequests.has(name as RequestName) || longWorkRequests.has(name as RequestName)

const megabyte = 'x'.repeat(2 ** 20)

/** Paths no request should do anything harmful with (read forever, write, escape). */
export function oddPaths(ctx: FuzzContext): string[] {
  return [
    '/proc/self/mem',
    '/proc/self/fd/0',
    '/dev/zero',
    '/dev/urandom',
    '/dev/stdin',
    '/dev/null',
    '/etc/passwd',
    '/etc/shadow',
    '../../etc/passwd',
    '~/../../../../etc/passwd',
    'file:///etc/passwd',
    'C:\\Windows\\System32',
    '\\\\server\\share\\x',
    '/tmp/a\u0000b',
    '/nonexistent/dgmw-fuzz/folder',
    `/${'a/'.repeat(3000)}`,
    `/${'b'.repeat(5000)}`,
    `/${megabyte}`,
    `${ctx.dataDir}/workbench.sqlite`,
    `${ctx.dataDir}/../../..`,
    ...ctx.trapDirs
  ]
}

/** A valid argument object per request, for the fuzzer to spoil one field at a time. */
function templates(ctx: FuzzContext): { [N in RequestName]: RequestArgs<N> } {
  const [run] = ctx.runIds
  const dataset = ctx.datasetId
  return {
    'app/info': {},
    'engine/status': {},
    'engine/setBackend': { backend: 'cpu' },
    'doctor/report': {},
    'cluster/profiles': {},
    // Relative: the handler refuses it, so a valid fuzzed profile is never stored.
    'cluster/saveProfile': { name: 'fuzz', sharedFolder: 'relative/shared' },
    'cluster/deleteProfile': { name: 'fuzz' },
    'cluster/testProfile': { name: 'fuzz' },
    'datasets/list': {},
    'datasets/import': { path: '/dev/zero', size: 16, channels: 3, fit: 'cover', seed: 1 },
    'datasets/findImported': { path: '/etc/passwd' },
    'datasets/rename': { id: dataset, name: 'renamed' },
    'datasets/get': { id: dataset },
    'datasets/images': { id: dataset, label: 0, split: 'train', offset: 0, limit: 20 },
    'datasets/pixels': { id: dataset, indices: [0, 1, 2] },
    'datasets/delete': { id: dataset },
    'datasets/augmentPreview': {
      id: dataset,
      augmentation: { flip: true, cropPadding: 2, rotateDegrees: 10 },
      images: 2,
      copies: 2,
      seed: 1
    },
    'uploads/begin': { name: 'drop' },
    'uploads/file': {
      uploadId: '00000000-0000-4000-8000-000000000000',
      path: 'a/b.png',
      data: 'AAAA'
    },
    'uploads/finish': { uploadId: '00000000-0000-4000-8000-000000000000' },
    'uploads/discard': { path: `${ctx.dataDir}/uploads/00000000-0000-4000-8000-000000000000` },
    'dialog/chooseSavePath': { defaultName: 'model' },
    'dialog/chooseFolder': {},
    'experiments/list': {},
    'runs/list': { limit: 10, status: 'completed' },
    'runs/get': { id: run },
    'experiments/labelBudget': {
      datasetId: dataset,
      recipes: ['classifier'],
      budgets: [10],
      seeds: 1,
      steps: 10,
      batchSize: 8
    },
    'experiments/labelBudgetPreview': {
      datasetId: dataset,
      recipes: ['classifier'],
      budgets: [10],
      seeds: 1,
      steps: 10,
      batchSize: 8
    },
    'experiments/labelBudgetResult': { id: ctx.experimentId },
    'experiments/create': { name: 'fuzz', datasetId: dataset },
    'runs/start': { datasetId: dataset, recipe: 'classifier' },
    'runs/preview': { datasetId: dataset, recipe: 'classifier' },
    'runs/pause': { id: run },
    'runs/resume': { id: run },
    'runs/stop': { id: run },
    'runs/update': { id: run, name: 'renamed', tags: ['a'], notes: 'n' },
    'runs/delete': { id: run },
    'runs/evaluation': { id: run },
    'runs/evaluate': { id: run },
    'runs/predictions': { id: run, wrong: true, offset: 0, limit: 10 },
    'runs/sampleGrids': { id: run },
    'runs/sampleGrid': { id: run, step: 0 },
    'runs/generate': { id: run, n: 4, seed: 1 },
    'runs/saveSamples': { id: run, n: 4, out: '/tmp/dgmw-fuzz-never.png' },
    'runs/scores': { id: run },
    'runs/score': { id: run },
    'runs/export': { id: run, format: 'tfjs', out: '/tmp/dgmw-fuzz-never' },
    'exports/inspect': { path: '/proc/self' },
    'predict/images': { source: { runId: run }, paths: ['/dev/zero'], topK: 3 },
    'runs/reconstructions': { id: run, count: 4 },
    'runs/latentMap': { id: run, count: 10 },
    // Not an image file: refused before any decoding (a read of /dev/zero would never end).
    'explain/saliency': { runId: run, image: { path: '/dev/zero' }, method: 'grad' },
    'explain/traversals': { runId: run, dims: 2, steps: 3 },
    'explain/counterfactuals': { runId: run, image: { datasetIndex: 0 } },
    'explain/prototypes': { runId: run, perClass: 1, candidates: 8 }
  }
}

const idFields = new Set(['id', 'datasetId', 'experimentId', 'runId', 'evaluatorRunId'])
const pathFields = new Set(['path', 'out', 'exportDir', 'initFrom'])

type Random = () => number
const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)]

const wrongTypes: unknown[] = [
  '1',
  true,
  false,
  null,
  [],
  {},
  [1, 2],
  { $gt: 0 },
  "'; DROP TABLE runs; --",
  '',
  0.5
]
const hugeNumbers = [
  1e308,
  -1e308,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  4294967296,
  -2147483649,
  1e-320,
  -0,
  Number.MAX_SAFE_INTEGER
]
/** Placeholders replaced in the JSON text by what JSON.stringify cannot write. */
const nonFinite: Record<string, string> = {
  '"@@INF@@"': '1e309',
  '"@@-INF@@"': '-1e309',
  '"@@BIG@@"': '1' + '0'.repeat(400)
}
const nonFiniteStrings = ['NaN', 'Infinity', '-Infinity', '1e309']

/** The (non-empty) key paths of an argument object, to pick a field to spoil. */
function fieldPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return []
  return Object.entries(value).flatMap(([key, inner]) => [
    [...prefix, key],
    ...fieldPaths(inner, [...prefix, key])
  ])
}

function withField(args: unknown, path: string[], change: (value: unknown) => unknown): unknown {
  const copy = structuredClone(args) as Record<string, unknown>
  let target = copy
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>
  const last = path[path.length - 1]
  const next = change(target[last])
  if (next === undefined) delete target[last]
  else target[last] = next
  return copy
}

/** Ids that name nothing for field `key` of request `name` (ids of different tables overlap). */
function goneIds(name: RequestName, key: string, ctx: FuzzContext): number[] {
  const datasets = key === 'datasetId' || (key === 'id' && name.startsWith('datasets/'))
  if (datasets) return [ctx.deletedDatasetId, 987_654_321]
  if (key === 'id' && name.startsWith('experiments/')) return [987_654_321]
  return [ctx.deletedRunId, 987_654_321]
}

/** Arguments of a writing request its handler must refuse: every id names nothing there. */
function refusedIds(name: RequestName, ctx: FuzzContext, args: unknown, random: Random): unknown {
  let out = args
  for (const path of fieldPaths(args)) {
    const key = path[path.length - 1]
    if (idFields.has(key)) out = withField(out, path, () => pick(random, goneIds(name, key, ctx)))
  }
  return out
}

function isValid(name: string, args: unknown): boolean {
  return (
    Object.hasOwn(requests, name) &&
    requests[name as RequestName].args.safeParse(args ?? {}).success
  )
}

/** Spoils `args` of `name` in the way `category` says; returns undefined when it does not apply. */
function spoil(
  category: Category,
  name: RequestName,
  args: Record<string, unknown>,
  ctx: FuzzContext,
  random: Random
): unknown {
  const fields = fieldPaths(args)
  const ids = fields.filter((p) => idFields.has(p[p.length - 1]))
  const paths = fields.filter((p) => pathFields.has(p[p.length - 1]))
  const field = fields.length > 0 ? pick(random, fields) : undefined
  switch (category) {
    case 'valid-read':
      return args
    case 'refused-by-handler':
      return refusedIds(name, ctx, args, random)
    case 'wrong-type':
      return field ? withField(args, field, () => pick(random, wrongTypes)) : undefined
    case 'missing-field':
      return field ? withField(args, field, () => undefined) : undefined
    case 'extra-field':
      return {
        ...args,
        [pick(random, ['__proto__', 'constructor', 'sql', 'extra', 'x'.repeat(10_000)])]: 1
      }
    case 'huge-string':
      return field ? withField(args, field, () => megabyte) : { ...args, pad: megabyte }
    case 'huge-number':
      return field ? withField(args, field, () => pick(random, hugeNumbers)) : undefined
    case 'non-finite':
      return field
        ? withField(args, field, () =>
            random() < 0.5
              ? pick(random, Object.keys(nonFinite)).slice(1, -1)
              : pick(random, nonFiniteStrings)
          )
        : undefined
    case 'negative-id':
      return ids.length > 0
        ? withField(args, pick(random, ids), () => pick(random, [-1, 0, -987_654_321, -0.5]))
        : undefined
    case 'deleted-id': {
      if (ids.length === 0) return undefined
      const path = pick(random, ids)
      return withField(args, path, () => goneIds(name, path[path.length - 1], ctx)[0])
    }
    case 'odd-path':
      return paths.length > 0
        ? withField(args, pick(random, paths), () => pick(random, oddPaths(ctx)))
        : name === 'predict/images'
          ? { ...args, paths: [pick(random, oddPaths(ctx))] }
          : undefined
    case 'args-not-object':
      return pick(random, [null, [], 'runs', 42, true, [args]])
    default:
      return undefined
  }
}

/** Weighted: a 1 MB string in one request of ~70 keeps the barrage's traffic near 150 MB. */
const argCategories: Category[] = [
  'valid-read',
  'refused-by-handler',
  'wrong-type',
  'wrong-type',
  'missing-field',
  'extra-field',
  'huge-number',
  'non-finite',
  'negative-id',
  'deleted-id',
  'odd-path',
  'odd-path',
  'args-not-object'
]

function requestFrame(id: number, name: unknown, args: unknown): string {
  let text = JSON.stringify({ id, name, args })
  for (const [placeholder, raw] of Object.entries(nonFinite))
    text = text.replaceAll(placeholder, raw)
  return text
}

/** Frames that are not a request: the server must answer `{id: null}` with invalid-args. */
function malformedFrame(random: Random): string {
  return pick(random, [
    'not json',
    '',
    'null',
    '[]',
    '[{"id":1,"name":"app/info","args":{}}]',
    '42',
    '"app/info"',
    '{"id":1,"name":"app/info","args":{"x":NaN}}',
    '{"id":NaN,"name":"app/info","args":{}}',
    '{"id":1e309,"name":"app/info","args":{}}',
    '{"id":"1","name":"app/info","args":{}}',
    '{"id":1.5,"name":"app/info","args":{}}',
    '{"name":"app/info","args":{}}',
    '{"id":1,"name":"app/info","args":{},"extra":1}',
    '{"id":1,"name":"app/info"',
    '{"id":1,"name":"app/info","args":{}}}',
    '\u0000\u0001\u0002',
    '{"__proto__":{"polluted":true}}',
    '['.repeat(100_000) + ']'.repeat(100_000),
    '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)
  ])
}

/**
 * One generated request. `id` is the wire id it gets (unique per connection); writing requests
 * come only with arguments that must be refused, so the data directory must not change.
 */
export function generateRequest(random: Random, ctx: FuzzContext, id: number): FuzzRequest {
  const roll = random()
  if (roll < 0.04) {
    const frame = malformedFrame(random)
    return {
      category: 'malformed-frame',
      name: '-',
      frame,
      binary: false,
      replyId: null,
      valid: false
    }
  }
  if (roll < 0.06) {
    // Binary frames: valid JSON in a binary frame is a request; random bytes are not.
    if (random() < 0.5) {
      const frame = Buffer.from(requestFrame(id, 'app/info', {}))
      return {
        category: 'binary-frame',
        name: 'app/info',
        args: {},
        frame,
        binary: true,
        replyId: id,
        valid: true
      }
    }
    const frame = Buffer.from(
      Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256))
    )
    // A random byte string that happens to be JSON for a request is vanishingly unlikely.
    return { category: 'binary-frame', name: '-', frame, binary: true, replyId: null, valid: false }
  }
  if (roll < 0.09) {
    const name = pick(random, [
      'fs/readFile',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'runs/get/../../app/info',
      'RUNS/GET',
      'runs/get ',
      '',
      megabyte
    ])
    return {
      category: 'unknown-name',
      name: name.length > 100 ? '<1 MB name>' : name,
      args: {},
      frame: requestFrame(id, name, {}),
      binary: false,
      replyId: id,
      valid: false
    }
  }
  const all = templates(ctx)
  const name = pick(random, requestNames)
  const template = all[name] as Record<string, unknown>
  const hugeString = random() < 0.015
  for (let attempt = 0; attempt < 20; attempt++) {
    const category = hugeString && attempt === 0 ? 'huge-string' : pick(random, argCategories)
    if (category === 'valid-read' && refusedOnly(name)) continue
    if (category === 'refused-by-handler' && !refusedOnly(name)) continue
    const args = spoil(category, name, template, ctx, random)
    if (args === undefined) continue
    const valid = isValid(name, args)
    // A writing request must be refused: by the schema, or (ids of nothing) by its handler.
    if (valid && refusedOnly(name) && !refusedByHandler(name, args, ctx)) continue
    return {
      category,
      name,
      args,
      frame: requestFrame(id, name, args),
      binary: false,
      replyId: id,
      valid
    }
  }
  return {
    category: 'args-not-object',
    name,
    args: 42,
    frame: requestFrame(id, name, 42),
    binary: false,
    replyId: id,
    valid: false
  }
}

/**
 * Whether valid arguments of a writing request name only things that are not there (so the
 * handler must refuse them), or an odd path that is no folder to import or write into.
 */
function refusedByHandler(name: RequestName, args: unknown, ctx: FuzzContext): boolean {
  const record = args as Record<string, unknown>
  const gone = (key: string): boolean => goneIds(name, key, ctx).includes(record[key] as number)
  const idKeys = fieldPaths(args)
    .map((p) => p[p.length - 1])
    .filter((k) => idFields.has(k))
  if (name === 'datasets/import')
    return (
      typeof record.path === 'string' &&
      !ctx.trapDirs.includes(record.path) &&
      !isFolder(record.path)
    )
  if (name === 'uploads/file' || name === 'uploads/finish') return true // the upload id is unknown
  // The fuzzed data directory has no Slurm profile to delete or test, and stores none.
  if (name === 'cluster/deleteProfile' || name === 'cluster/testProfile') return true
  if (name === 'cluster/saveProfile')
    return typeof record.sharedFolder === 'string' && !/^[/~]/.test(record.sharedFolder.trim())
  if (name === 'uploads/discard')
    return typeof record.path === 'string' && !record.path.startsWith(`${ctx.dataDir}/uploads`)
  if (
    name === 'runs/start' ||
    name === 'runs/preview' ||
    name === 'experiments/create' ||
    name === 'experiments/labelBudget' ||
    name === 'experiments/labelBudgetPreview'
  )
    return gone('datasetId')
  // Every id at the top level names nothing (nested ids, like a predict source, stay as they are).
  return idKeys.length > 0 && idKeys.every((key) => key in record && gone(key))
}

/** Links whose target depends on how the test was started (a tty, a pipe, a folder). */
const standardInput = new Set(['/proc/self/fd/0', '/dev/stdin'])
/** Odd paths that are or may be folders (importing them would walk them): never imported. */
function isFolder(path: string): boolean {
  return (
    standardInput.has(path) ||
    path.endsWith('..') ||
    path === '/' ||
    /^\/(proc|dev|etc|sys)\/?$/.test(path)
  )
}
