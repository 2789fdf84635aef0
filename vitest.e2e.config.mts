import { defineConfig } from 'vitest/config'

// End-to-end: the built app in browser mode, driven in real Chromium (npm run build first).
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false
  }
})
