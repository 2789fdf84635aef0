/**
 * Training kernels for the wasm backend: the ones it lacks (convolution filter gradient, depthwise
 * gradients) and faster replacements for slow stock ones (convolution input gradient, max-pool
 * gradient, matrix products with transposed operands). Register them after the wasm backend
 * loads, before training.
 */
import {
  BatchMatMul,
  getKernel,
  registerGradient,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc
} from '@tensorflow/tfjs-core'
import { batchMatMulConfig } from './batchMatMul'
import { fusedBatchNormGradConfig } from './batchNormGrad'
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

/** The stock BatchMatMul, kept before our wrapper replaces it in the registry. */
let stockBatchMatMul: KernelFunc | undefined

function replace(config: KernelConfig): void {
  if (getKernel(config.kernelName, 'wasm')) unregisterKernel(config.kernelName, 'wasm')
  registerKernel(config)
}

/** Registers (or re-registers over the stock ones) the training kernels; safe to call twice. */
export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernels) replace(config)
  registerGradient(fusedBatchNormGradConfig)
  stockBatchMatMul ??= getKernel(BatchMatMul, 'wasm')?.kernelFunc
  if (stockBatchMatMul) replace(batchMatMulConfig(stockBatchMatMul))
}
