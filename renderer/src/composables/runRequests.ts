import type { RequestArgs, RequestName } from '../../../preload/contract'
import { client } from '../client'

/** A request's arguments less the run id, which the run's requests fill in. */
type ForRun<N extends RequestName> = Omit<RequestArgs<N>, 'id'>

/**
 * What can be asked of or done to one stored run, by id: the commands of its tab (and of the
 * compare tab, which measures several). Views call these instead of naming contract requests.
 */
export function runRequests(id: number) {
  return {
    get: () => client.request('runs/get', { id }),
    evaluation: () => client.request('runs/evaluation', { id }),
    pause: () => client.request('runs/pause', { id }),
    resume: () => client.request('runs/resume', { id }),
    stop: () => client.request('runs/stop', { id }),
    evaluate: () => client.request('runs/evaluate', { id }),
    remove: () => client.request('runs/delete', { id }),
    update: (edit: ForRun<'runs/update'>) => client.request('runs/update', { id, ...edit }),
    export: (args: ForRun<'runs/export'>) => client.request('runs/export', { id, ...args }),
    predictions: (query: ForRun<'runs/predictions'>) =>
      client.request('runs/predictions', { id, ...query }),
    scores: () => client.request('runs/scores', { id }),
    /** Measures the generator (with `evaluatorRunId`'s classifier, else the suggested one). */
    score: (evaluatorRunId?: number) =>
      client.request('runs/score', evaluatorRunId === undefined ? { id } : { id, evaluatorRunId }),
    sampleGrids: () => client.request('runs/sampleGrids', { id }),
    sampleGrid: (step: number) => client.request('runs/sampleGrid', { id, step }),
    generate: (args: ForRun<'runs/generate'>) => client.request('runs/generate', { id, ...args }),
    saveSamples: (args: ForRun<'runs/saveSamples'>) =>
      client.request('runs/saveSamples', { id, ...args }),
    reconstructions: (count: number) => client.request('runs/reconstructions', { id, count }),
    latentMap: (count: number) => client.request('runs/latentMap', { id, count })
  }
}

export type RunRequests = ReturnType<typeof runRequests>
