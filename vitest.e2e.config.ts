// End-to-end suite: real knot, pebble and mta-sts-query inside one network namespace.
// Run through test/e2e/run.sh, which creates the namespace and runs vitest inside it.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/harness/global-setup.ts'],
    // One namespace with fixed ports (53, 80, 443, 14000, 15000): one file at a time.
    fileParallelism: false,
    // Real daemons start, issue certificates and time out on the order of seconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
})
