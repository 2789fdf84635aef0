import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { SlurmProfile, SlurmProfileInput } from '../../../preload/contract'
import { client } from '../client'

/**
 * The stored Slurm profiles: the "Run on" choices offered beside this machine, and the profiles
 * dialog's list. Loaded when a form offering them opens, and again after each save or delete.
 */
export const useClusterStore = defineStore('cluster', () => {
  const profiles = ref<SlurmProfile[]>([])
  const loaded = ref(false)
  const error = ref<string | null>(null)

  async function load(): Promise<void> {
    try {
      profiles.value = await client.request('cluster/profiles')
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loaded.value = true
    }
  }

  /** Saves (adds, or replaces the one of the same name); a refusal throws its message. */
  async function save(profile: SlurmProfileInput): Promise<SlurmProfile> {
    const saved = await client.request('cluster/saveProfile', profile)
    await load()
    return saved
  }

  async function remove(name: string): Promise<void> {
    await client.request('cluster/deleteProfile', { name })
    await load()
  }

  const test = (name: string) => client.request('cluster/testProfile', { name })

  return { profiles, loaded, error, load, save, remove, test }
})
