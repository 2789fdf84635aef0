/**
 * The one contract between the renderer and main: every request (name, argument schema, reply type)
 * and every event main pushes. Main, preload and renderer all import this folder (through this
 * file) and nothing else crosses between them. Main validates every incoming argument with these
 * schemas; reply types are compile-time only.
 *
 * Where things live:
 * - types.ts            the records replies carry: app, engine, datasets, experiments, runs
 * - results.ts          what a trained run yields: evaluations, generator scores, exports, predictions
 * - recipes.ts          recipe names and their families (generative, synthetic-data, classifying)
 * - classifierConfig.ts a classifier run's config and its defaults (the best measured recipe)
 * - generativeConfig.ts a generative run's config and each recipe's defaults
 * - labelBudget.ts      label-budget experiments: plan, preview, result
 * - cluster.ts          Slurm profiles and what a run records about its job
 * - explain.ts          explanations: saliency maps, latent traversals, counterfactuals, prototypes
 * - requests.ts         the request table: name → argument schema and reply type
 * - events.ts           the event table: name → payload schema, and typed listeners
 * - wire.ts             what crosses a transport: envelopes, IPC channels, the bridge, WebSocket messages
 */
export * from './types'
export * from './results'
export * from './recipes'
export * from './classifierConfig'
export * from './generativeConfig'
export * from './labelBudget'
export * from './cluster'
export * from './explain'
export * from './requests'
export * from './events'
export * from './wire'
