/**
 * Training kernels for the wasm backend: the ones it lacks (convolution filter gradient, depthwise
 * gradients) and faster replacements for slow stock ones (convolution input gradient, max-pool
 * gradient). Register them after the wasm backend loads, before training.
 */
import {
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig
} from '@tensorflow/tfjs-core'
import { conv2dBackpropFilterConfig, conv2dBackpropInputConfig } from './conv2dBackprop'
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwiseBackprop'
import { maxPoolGradConfig } from './maxPoolGrad'

export const wasmTrainingKernels: KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  maxPoolGradConfig
]

/** Registers (or re-registers over the stock ones) the training kernels; safe to call twice. */
export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernels) {
    if (getKernel(config.kernelName, 'wasm')) unregisterKernel(config.kernelName, 'wasm')
    registerKernel(config)
  }
}
