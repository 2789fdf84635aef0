import { accessSync, constants, existsSync, statSync } from 'node:fs'
import { arch, cpus, platform, totalmem, availableParallelism } from 'node:os'
import type { DoctorReport, EngineStatus } from '../../preload/contract'
import { findCudaLibraries, nvidiaSmi } from './cudaLibraries'
import { electronAvailability } from './electronBinary'
import { appVersion } from './appVersion'

function isWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK)
    return true
  } catch {
    return false
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

/** The database file and its write-ahead log and shared-memory index, those that exist. */
export function databaseFiles(databasePath: string): { path: string; bytes: number }[] {
  return [databasePath, `${databasePath}-wal`, `${databasePath}-shm`]
    .filter((path) => existsSync(path))
    .map((path) => ({ path, bytes: fileSize(path) }))
}

/** Everything a person needs to tell why the app runs where and how it does. */
export function doctorReport(
  engine: EngineStatus,
  dataDir: string,
  databasePath: string
): DoctorReport {
  const electron = electronAvailability()
  return {
    app: { version: appVersion, node: process.versions.node, platform: platform(), arch: arch() },
    electron: { ...electron, version: process.versions.electron ?? electron.version },
    cpu: {
      model: cpus()[0]?.model.trim() ?? 'unknown',
      threads: availableParallelism(),
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10
    },
    gpu: { nvidiaSmi: nvidiaSmi(), cudaLibraries: findCudaLibraries() },
    engine,
    dataDir: {
      path: dataDir,
      writable: isWritable(dataDir),
      databasePath,
      // SQLite in WAL mode keeps recent commits in -wal (and an index in -shm) until a checkpoint:
      // the database takes all three on disk.
      databaseBytes: databaseFiles(databasePath).reduce((sum, f) => sum + f.bytes, 0),
      databaseFiles: databaseFiles(databasePath)
    }
  }
}
