import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

// The design card puts main/, preload/ and renderer/ at the top level, not under src/, so every
// entry and the renderer root are set explicitly here.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          // Electron host (the only code that imports `electron`).
          index: resolve(__dirname, 'main/electron/main.ts'),
          // `dgmw` command line; runs in plain Node.
          cli: resolve(__dirname, 'main/cli/dgmw.ts'),
          // The long-lived engine worker that owns the tensor library.
          engineWorker: resolve(__dirname, 'main/engine/engineWorker.ts'),
          // Image decoding for dataset imports, one thread per core.
          decodeWorker: resolve(__dirname, 'main/datasets/decodeWorker.ts'),
          // `dgmw bench` measures each tensor backend in a child process running this.
          benchWorker: resolve(__dirname, 'main/bench/benchWorker.ts')
        },
        // Shared chunks sit beside the entries, so `__dirname` means out/main in every module
        // (the engine host finds engineWorker.js and the CLI finds ../renderer from it).
        output: { chunkFileNames: '[name]-[hash].js' }
      }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require() packages, so the contract's schema library is bundled.
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(__dirname, 'preload/index.ts') } }
    }
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [vue()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: resolve(__dirname, 'renderer/index.html') }
    }
  }
})
