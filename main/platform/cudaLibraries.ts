import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** The shared libraries tfjs-node-gpu 4.x (libtensorflow 2.9, CUDA 11.2, cuDNN 8.1) opens. */
const wanted: Record<string, string[]> = {
  linux: ['libcudart.so.11.0', 'libcublas.so.11', 'libcudnn.so.8'],
  win32: ['cudart64_110.dll', 'cublas64_11.dll', 'cudnn64_8.dll']
}

function ldconfigPaths(): Map<string, string> {
  const found = new Map<string, string>()
  try {
    const out = execFileSync('ldconfig', ['-p'], {
      encoding: 'utf8',
      timeout: 3000,
      stdio: ['ignore', 'pipe', 'ignore']
    })
    for (const line of out.split('\n')) {
      const match = /^\s*(\S+) .*=> (.+)$/.exec(line)
      if (match) found.set(match[1], match[2].trim())
    }
  } catch {
    // No ldconfig (or not Linux): the search path below still applies.
  }
  return found
}

/** Where each CUDA library the GPU backend needs was found, if anywhere. */
export function findCudaLibraries(): { name: string; path?: string }[] {
  const names = wanted[process.platform] ?? []
  if (names.length === 0) return []
  const searchVar = process.platform === 'win32' ? process.env.PATH : process.env.LD_LIBRARY_PATH
  const dirs = [
    ...(searchVar ?? '').split(delimiter).filter(Boolean),
    '/usr/local/cuda/lib64',
    '/usr/lib/x86_64-linux-gnu'
  ]
  const cache = process.platform === 'linux' ? ldconfigPaths() : new Map<string, string>()
  return names.map((name) => {
    const dir = dirs.find((d) => existsSync(join(d, name)))
    return { name, path: dir ? join(dir, name) : cache.get(name) }
  })
}

/** One line per GPU from nvidia-smi, or undefined when there is no NVIDIA driver. */
export function nvidiaSmi(): string | undefined {
  try {
    return execFileSync(
      'nvidia-smi',
      ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'],
      {
        encoding: 'utf8',
        timeout: 5000,
        stdio: ['ignore', 'pipe', 'ignore']
      }
    ).trim()
  } catch {
    return undefined
  }
}
