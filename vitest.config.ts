import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // End-to-end suites need a network namespace: `npm run test:e2e` runs them inside one.
    exclude: [...configDefaults.exclude, 'test/e2e/**'],
    testTimeout: 30_000,
  },
})
