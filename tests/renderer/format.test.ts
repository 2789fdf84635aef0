import { describe, expect, it } from 'vitest'
import { formatBytes, formatDuration, runDuration } from '../../renderer/src/format'
import { engineLabel, shortPath } from '../../renderer/src/components/shell/statusText'
import { browserModeUrl } from '../../renderer/src/transport/websocketTransport'

describe('renderer display helpers', () => {
  it('formats durations a person reads at a glance', () => {
    expect(formatDuration(42.4)).toBe('42 s')
    expect(formatDuration(185)).toBe('3 min 05 s')
    expect(formatDuration(7620)).toBe('2 h 07 min')
    expect(formatDuration(null)).toBe('—')
    expect(runDuration('2026-01-01T00:00:00Z', '2026-01-01T00:01:30Z')).toBe(90)
    expect(runDuration(null, null)).toBeNull()
    // A live run that started after the table's last tick: not a negative duration.
    expect(runDuration('2026-01-01T00:00:02Z', null, Date.parse('2026-01-01T00:00:00Z'))).toBe(0)
  })

  it('labels the engine state for the status bar', () => {
    expect(engineLabel(null)).toBe('Engine: starting…')
    expect(engineLabel({ state: 'ready', active: 'wasm', rungs: [], threads: 2 })).toBe(
      'Backend: wasm · 2 threads'
    )
    expect(
      engineLabel({ state: 'ready', active: 'cpu', forced: 'cpu', rungs: [], threads: 1 })
    ).toBe('Backend: cpu (forced) · 1 thread')
    expect(
      engineLabel({
        state: 'ready',
        active: 'cpu',
        forced: 'cpu',
        forcedBy: 'setting',
        rungs: [],
        threads: 1
      })
    ).toBe('Backend: cpu (chosen) · 1 thread')
    expect(engineLabel({ state: 'failed', rungs: [], threads: 0, error: 'x' })).toBe(
      'Engine: failed'
    )
  })

  it('keeps the end of long paths', () => {
    const path = '/home/researcher/.config/DGM Workbench/with/a/very/long/tail/folder'
    expect(shortPath(path, 20)).toBe('…ry/long/tail/folder')
    expect(shortPath(path, 20)).toHaveLength(20)
    expect(shortPath('/short')).toBe('/short')
  })

  it('moves the token from the address bar into the tab session and the socket URL', () => {
    const storage = new Map<string, string>()
    const replaced: string[] = []
    const url = browserModeUrl(
      {
        search: '?token=abc123&x=1',
        protocol: 'http:',
        host: '127.0.0.1:8765',
        pathname: '/',
        hash: ''
      } as Location,
      {
        replaceState: (_s: unknown, _t: string, next: string) => replaced.push(next)
      } as unknown as History,
      {
        getItem: (k: string) => storage.get(k) ?? null,
        setItem: (k: string, v: string) => void storage.set(k, v)
      } as unknown as Storage
    )
    expect(url).toBe('ws://127.0.0.1:8765/ws?token=abc123')
    expect(replaced).toEqual(['/?x=1'])
    expect(storage.get('dgmw-token')).toBe('abc123')
  })
})

describe('formatBytes', () => {
  it('says a size on disk the way file managers do', () => {
    expect(formatBytes(55_296)).toBe('55 kB')
    expect(formatBytes(12)).toBe('1 kB')
    expect(formatBytes(54_880_000)).toBe('54.9 MB')
    expect(formatBytes(2_195_200_000)).toBe('2.20 GB')
  })
})
