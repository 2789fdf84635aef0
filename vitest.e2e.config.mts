import { defineConfig } from 'vitest/config'

// End-to-end: the built app in browser mode, driven in real Chromium.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    environment: 'node',
    // Suites run the built app: out/ is rebuilt once per run when a source is newer.
    globalSetup: ['tests/helpers/currentBuild.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false
  }
})
