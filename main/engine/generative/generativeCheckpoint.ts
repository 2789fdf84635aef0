/**
 * Generative checkpoints: every network's weights, the model's buffers and every optimiser's
 * state in one file, each under its network's or optimiser's name, so a freshly built model of
 * the same recipe loads it back (resume, sampling, export).
 */
import * as tf from '@tensorflow/tfjs-core'
import type { GenerativeModel } from '../models/generative/recipe'
import { modelWeights, readCheckpoint, restoreModelWeights, writeCheckpoint } from '../checkpoint'
import type { NamedTensor } from '../optimizers'
import type { LoopState } from '../trainingLoop'

/** What a generative checkpoint remembers besides tensors. */
export interface GenerativeState extends LoopState {
  /** Largest sample diversity seen so far (the mode-collapse warning compares against it). */
  peakDiversity: number
  final?: boolean
}

/** Checkpoint names of a model's buffers (state learnt after training, e.g. vae-graph's bank). */
const bufferPrefix = 'buffers/'

export async function saveGenerative(
  file: string,
  model: GenerativeModel,
  state: GenerativeState
): Promise<{ path: string; bytes: number; sha256: string }> {
  const weights: NamedTensor[] = [
    ...Object.entries(model.nets).flatMap(([net, m]) =>
      modelWeights(m).map((w) => ({ name: `${net}/${w.name}`, tensor: w.tensor }))
    ),
    ...Object.entries(model.buffers ?? {}).map(([name, tensor]) => ({
      name: `${bufferPrefix}${name}`,
      tensor
    }))
  ]
  const optimizer: NamedTensor[] = []
  for (const [name, opt] of Object.entries(model.optimizers))
    for (const w of await opt.getState())
      optimizer.push({ name: `${name}/${w.name}`, tensor: w.tensor })
  try {
    return { path: file, ...(await writeCheckpoint(file, { state, weights, optimizer })) }
  } finally {
    tf.dispose(optimizer.map((t) => t.tensor))
  }
}

/** Loads a generative checkpoint into a freshly built model (networks and optimisers by name). */
export async function restoreGenerative(
  file: string,
  model: GenerativeModel,
  withOptimizers = true
): Promise<GenerativeState> {
  const checkpoint = readCheckpoint<GenerativeState>(file)
  try {
    if (model.buffers)
      for (const w of checkpoint.weights.filter((w) => w.name.startsWith(bufferPrefix))) {
        const name = w.name.slice(bufferPrefix.length)
        const held = model.buffers[name]
        // Variables (SGAN mlp-wn's trained parameters) keep their identity: optimisers hold them.
        if (held instanceof tf.Variable) held.assign(w.tensor)
        else {
          held?.dispose()
          model.buffers[name] = w.tensor.clone()
        }
      }
    for (const [net, m] of Object.entries(model.nets))
      restoreModelWeights(
        m,
        checkpoint.weights.filter((w) => w.name.startsWith(`${net}/`))
      )
    if (withOptimizers)
      for (const [name, opt] of Object.entries(model.optimizers))
        await opt.setState(
          checkpoint.optimizer
            .filter((w) => w.name.startsWith(`${name}/`))
            .map((w) => ({ name: w.name.slice(name.length + 1), tensor: w.tensor }))
        )
    return checkpoint.state
  } finally {
    tf.dispose([...checkpoint.weights, ...checkpoint.optimizer].map((t) => t.tensor))
  }
}
