import { describe, expect, it } from 'vitest'
import { classifierConfigSchema } from '../../preload/contract'
import {
  defaultConfig,
  fieldErrors,
  loadRemembered,
  relevantFields,
  restoreConfig,
  saveRemembered,
  restoreSynthetic
} from '../../renderer/src/newRunConfig'

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> {
  const items = new Map<string, string>()
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value)
  }
}

describe('the new-run form', () => {
  it('shows weight decay, momentum and schedule fields only where they apply', () => {
    expect(relevantFields({ optimizer: 'adam', schedule: 'constant' })).toEqual({
      weightDecay: false,
      momentum: false,
      step: false,
      warmup: false
    })
    expect(relevantFields({ optimizer: 'sgd', schedule: 'step' })).toMatchObject({
      weightDecay: true,
      momentum: true,
      step: true
    })
    expect(relevantFields({ optimizer: 'adamw', schedule: 'one-cycle' })).toMatchObject({
      weightDecay: true,
      momentum: false,
      warmup: true
    })
  })

  it('says what is wrong with each field in words', () => {
    const parsed = classifierConfigSchema.safeParse({
      ...defaultConfig(),
      learningRate: 0,
      batchSize: 2.5,
      epochs: Number.NaN,
      augmentation: { ...defaultConfig().augmentation, cutout: 100 }
    })
    expect(parsed.success).toBe(false)
    expect(fieldErrors(parsed.error!)).toEqual({
      learningRate: 'Must be greater than 0.',
      batchSize: 'Must be a whole number.',
      epochs: 'Enter a number.',
      'augmentation.cutout': 'Must be at most 64.'
    })
  })

  it('restores a remembered config, dropping unknown keys and replacing invalid values', () => {
    const restored = restoreConfig({
      learningRate: 0.01,
      optimizer: 'lion',
      retired: true,
      augmentation: { flip: true, cutout: -3, gone: 1 }
    })
    expect(restored).toEqual({
      ...defaultConfig(),
      learningRate: 0.01,
      augmentation: { ...defaultConfig().augmentation, flip: true }
    })
    expect(restoreConfig('nonsense')).toEqual(defaultConfig())
  })

  it('remembers the last run started, and survives broken storage', () => {
    const storage = memoryStorage()
    expect(loadRemembered(storage)).toEqual({ config: defaultConfig() })
    saveRemembered(storage, { datasetId: 2, config: { ...defaultConfig(), epochs: 12 } })
    expect(loadRemembered(storage)).toEqual({
      datasetId: 2,
      config: { ...defaultConfig(), epochs: 12 }
    })
    storage.setItem('dgmw.newRun.last', '{not json')
    expect(loadRemembered(storage)).toEqual({ config: defaultConfig() })
  })

  it("keeps a fine-tuned run's start when re-run, but never remembers it for the next run", () => {
    const start = { ...defaultConfig(), initFrom: '/exports/clothes-tfjs' }
    expect(restoreConfig(start).initFrom).toBe('/exports/clothes-tfjs')
    expect(restoreConfig({ ...start, initFrom: '' })).not.toHaveProperty('initFrom')
    const storage = memoryStorage()
    saveRemembered(storage, { config: start })
    expect(loadRemembered(storage).config).toEqual(defaultConfig())
  })
})

describe('the generated-images fields of augment and cas', () => {
  it("restore another run's source run, ratio and share, or none, 1 and 0.5", () => {
    expect(restoreSynthetic({ generatorRunId: 4, syntheticRatio: 2.5, epochs: 3 })).toEqual({
      generatorRunId: 4,
      syntheticRatio: 2.5,
      pseudoLabelShare: 0.5
    })
    expect(
      restoreSynthetic({ generatorRunId: -1, syntheticRatio: 50, pseudoLabelShare: 1.5 })
    ).toEqual({
      generatorRunId: null,
      syntheticRatio: 1,
      pseudoLabelShare: 0.5
    })
    expect(restoreSynthetic({ generatorRunId: 9, pseudoLabelShare: 0.3 })).toEqual({
      generatorRunId: 9,
      syntheticRatio: 1,
      pseudoLabelShare: 0.3
    })
    expect(restoreSynthetic(null)).toEqual({
      generatorRunId: null,
      syntheticRatio: 1,
      pseudoLabelShare: 0.5
    })
  })
})
