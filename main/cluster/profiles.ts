/**
 * Slurm profiles, stored as one setting of the run store, and the few other things a data
 * directory keeps about clusters (its id in shared folders).
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import {
  slurmProfileSchema,
  type SlurmProfile,
  type SlurmProfileInput
} from '../../preload/contract'
import { UserError } from '../platform/userError'
import type { RunStore } from '../store/runStore'

const profilesKey = 'cluster.profiles'
const workbenchKey = 'cluster.workbenchId'

export function clusterProfiles(store: Pick<RunStore, 'settings'>) {
  const all = (): SlurmProfile[] => store.settings.get<SlurmProfile[]>(profilesKey) ?? []
  return {
    list: all,

    get(name: string): SlurmProfile {
      const found = all().find((p) => p.name === name)
      if (found) return found
      const names = all().map((p) => p.name)
      throw new UserError(
        `There is no Slurm profile "${name}". ` +
          (names.length
            ? `Profiles: ${names.join(', ')}.`
            : 'Add one: `dgmw slurm profile add NAME --shared-folder DIR [--partition P] [--gpus N]`.')
      )
    },

    /** Adds the profile, or replaces the one of the same name. */
    save(input: SlurmProfileInput): SlurmProfile {
      const profile = slurmProfileSchema.parse(input)
      if (!profile.sharedFolder.startsWith('/'))
        throw new UserError(
          `The shared folder must be an absolute path (the same on every node), not "${profile.sharedFolder}".`
        )
      store.settings.set(profilesKey, [...all().filter((p) => p.name !== profile.name), profile])
      return profile
    },

    remove(name: string): void {
      const kept = all().filter((p) => p.name !== name)
      if (kept.length === all().length) throw new UserError(`There is no Slurm profile "${name}".`)
      store.settings.set(profilesKey, kept)
    },

    /**
     * This data directory's name in shared folders: two workbenches using one cluster folder
     * number their runs independently, so their run folders must not meet.
     */
    workbenchId(): string {
      let id = store.settings.get<string>(workbenchKey)
      if (!id) store.settings.set(workbenchKey, (id = randomBytes(6).toString('hex')))
      return id
    }
  }
}

/**
 * How a compute node starts this very workbench when the profile does not say: this Node and
 * this checkout's `bin/dgmw.cjs` (right for a cluster whose nodes see this machine's folders, and
 * the one-node cluster of the tests). Both main/cluster and out/main sit two levels below it.
 */
export function defaultLaunch(): string {
  const node = process.versions.electron ? 'node' : process.execPath
  return `${shellQuote(node)} ${shellQuote(join(__dirname, '..', '..', 'bin', 'dgmw.cjs'))}`
}

export const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`
