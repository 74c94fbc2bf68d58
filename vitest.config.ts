import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // End-to-end suites need a network namespace: `npm run test:e2e` runs them inside one.
    exclude: [...configDefaults.exclude, 'test/e2e/**'],
    testTimeout: 30_000,
    // Set-up hooks start servers, build certificate chains or run jing over the corpus; on a
    // busy 2-core machine the default 10 s was once too short (jing's corpus batch).
    hookTimeout: 60_000,
    // Bundles the worker pool's module once, so test servers' threads skip tsx (global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    // One module registry per worker, not per file: a fresh process per file cost ~0.5 s each
    // (101 files: ~45 s of the suite). Safe because nothing in src/ keeps module-level state
    // that a test changes; the one file that mocks a module (decode.test.ts) loads it afresh.
    isolate: false,
    // Both cores, also on a 2-core machine (vitest's default leaves one free): most test files
    // wait on sockets, worker threads and child processes, so two files at once overlap well
    // (serial ~145 s, two at once ~95 s on the 2-core machine, 2026-12-06).
    maxWorkers: 2,
    minWorkers: 1,
    // `npm run coverage`: line and branch coverage of the product (issue 11 keeps it from dropping).
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.test.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
    },
  },
})
