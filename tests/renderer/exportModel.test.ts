import { describe, expect, it } from 'vitest'
import type { ExportedNetwork } from '../../preload/contract'
import {
  cleanPath,
  defaultExportPath,
  exportFolderName,
  formatBytes,
  formatDifference,
  formatMetric,
  knownMetrics,
  switchFormatSuffix,
  top1Agreement,
  verdict
} from '../../renderer/src/exportModel'

function network(maxDifference: number, sameTop1?: number): ExportedNetwork {
  return {
    role: 'classifier',
    file: 'model.json',
    inputShape: [null, 28, 28, 1],
    outputShape: [[null, 10]],
    input: 'grey images, NHWC, 0–1',
    output: 'class probabilities',
    verification: {
      runtime: 'onnxruntime-node 1.30',
      inputs: '32 test images',
      count: 32,
      maxDifference,
      tolerance: 1e-4,
      sameTop1
    }
  }
}

describe('export helpers', () => {
  it('suggest a folder in the data directory named after the run and format', () => {
    expect(exportFolderName({ id: 7, name: 'clothes cnn' }, 'tfjs')).toBe('clothes-cnn-tfjs')
    expect(exportFolderName({ id: 7, name: null }, 'onnx')).toBe('run-7-onnx')
    expect(exportFolderName({ id: 7, name: '///' }, 'onnx')).toBe('run-7-onnx')
    expect(defaultExportPath('/home/me/.dgmw/', 'run-7-onnx')).toBe(
      '/home/me/.dgmw/exports/run-7-onnx'
    )
    expect(defaultExportPath('C:\\Users\\me\\dgmw', 'x')).toBe('C:\\Users\\me\\dgmw\\exports\\x')
  })

  it("switch a typed path's format suffix, and leave any other path alone", () => {
    expect(switchFormatSuffix('/tmp/shirts-tfjs', 'tfjs', 'onnx')).toBe('/tmp/shirts-onnx')
    expect(switchFormatSuffix('C:\\out\\a-onnx\\', 'onnx', 'tfjs')).toBe('C:\\out\\a-tfjs\\')
    expect(switchFormatSuffix('/tmp/tfjs-models/mine', 'tfjs', 'onnx')).toBe(
      '/tmp/tfjs-models/mine'
    )
  })

  it('trim a typed path but keep the root', () => {
    expect(cleanPath('  /tmp/out/ ')).toBe('/tmp/out')
    expect(cleanPath('/')).toBe('/')
  })

  it('pass a network within tolerance and report top-1 agreement', () => {
    expect(verdict(network(3e-7, 32))).toBe('pass')
    expect(verdict(network(0.01, 32))).toBe('fail')
    expect(top1Agreement(network(0, 32))).toEqual({ text: '32/32', all: true })
    expect(top1Agreement(network(0, 31))).toEqual({ text: '31/32', all: false })
    expect(top1Agreement(network(0))).toBeNull()
  })

  it('format sizes, differences and metrics for people', () => {
    expect(formatBytes(812)).toBe('812 B')
    expect(formatBytes(14_540)).toBe('14 KiB')
    expect(formatBytes(3.1 * 1024 * 1024)).toBe('3.1 MiB')
    expect(formatDifference(0)).toBe('0')
    expect(formatDifference(3.2e-7)).toBe('3.2e-7')
    expect(formatDifference(0.125)).toBe('0.125')
    expect(formatMetric('testAccuracy', 0.8123)).toBe('81.2%')
    expect(formatMetric('testLoss', 0.51234)).toBe('0.5123')
    expect(formatMetric('epochs', 5)).toBe('5')
    expect(formatMetric('fd', null)).toBe('—')
    expect(knownMetrics({ testAccuracy: 0.5, fd: null, someNewScore: 2 })).toEqual([
      { key: 'testAccuracy', name: 'Test accuracy', value: '50.0%' },
      { key: 'someNewScore', name: 'Some new score', value: '2' }
    ])
  })
})
