import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**'],
    environment: 'node',
    // Suites run the built app: out/ is rebuilt once per run when a source is newer.
    globalSetup: ['tests/helpers/currentBuild.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
