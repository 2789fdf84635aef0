import { defineStore } from 'pinia'
import type { RequestArgs } from '../../../preload/contract'
import { client } from '../client'
import { useHistoryStore } from './history'

/**
 * Starting new work: a run, a label-budget plan, an experiment, and the previews asked before a
 * run or plan starts (how long it takes here). Each start refreshes the history list.
 */
export const useLaunchStore = defineStore('launch', () => {
  const history = useHistoryStore()

  const previewRun = (args: RequestArgs<'runs/preview'>) => client.request('runs/preview', args)

  async function startRun(args: RequestArgs<'runs/start'>) {
    const run = await client.request('runs/start', args)
    void history.refresh()
    return run
  }

  const previewLabelBudget = (plan: RequestArgs<'experiments/labelBudgetPreview'>) =>
    client.request('experiments/labelBudgetPreview', plan)

  async function startLabelBudget(plan: RequestArgs<'experiments/labelBudget'>) {
    const result = await client.request('experiments/labelBudget', plan)
    void history.refresh()
    return result
  }

  /** Resolves once the history lists the new experiment, so its tab finds it. */
  async function createExperiment(name: string, datasetId: number) {
    const experiment = await client.request('experiments/create', { name, datasetId })
    await history.refresh()
    return experiment
  }

  return { previewRun, startRun, previewLabelBudget, startLabelBudget, createExperiment }
})
