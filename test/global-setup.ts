/**
 * Once per `vitest run`: bundles the worker pool's module (src/adapters/workers/worker.ts and
 * the code it imports; packages stay external) so test servers' worker threads load plain
 * JavaScript instead of going through tsx's loader — ~0.6 s saved on every thread start, and
 * the suite starts many (tenant work, reports, restarts after a killed job). The bundle is
 * built from the same sources on every run; test-server.ts hands its path to openRuntime.
 * Spawned `policyhost serve` processes and the pool's own unit tests still use tsx.
 *
 * It also starts the run's PostgreSQL 15 (issue 15; test/helpers/pg-databases.ts): tests of the
 * PostgreSQL store each copy its migrated template database.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { PG_URL_ENV, prepareTemplate } from './helpers/pg-databases.js'
import { SKIP_POSTGRES, startPostgres } from './helpers/postgres.js'

export default async function setup(): Promise<() => void> {
  // Inside the project, so the bundle's package imports (svgo, …) resolve from node_modules.
  const cache = join(process.cwd(), 'node_modules', '.cache')
  mkdirSync(cache, { recursive: true })
  const dir = mkdtempSync(join(cache, 'policyhost-worker-'))
  const outfile = join(dir, 'worker.mjs')
  await build({
    entryPoints: ['src/adapters/workers/worker.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  })
  process.env.POLICYHOST_TEST_WORKER_ENTRY = pathToFileURL(outfile).href
  const postgres = SKIP_POSTGRES ? null : await startPostgres()
  if (postgres) {
    await prepareTemplate(postgres.url)
    process.env[PG_URL_ENV] = postgres.url
  }
  return async () => {
    rmSync(dir, { recursive: true, force: true })
    await postgres?.stop()
  }
}
