import type { BackendName } from '../../preload/contract'

/** The package behind each tensor backend; a leaf, so naming one loads no tensor library. */
export const backendPackages: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu'
}
