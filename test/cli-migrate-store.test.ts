/**
 * Issue 15: `policyhost migrate-store` through the CLI dispatcher (test/helpers/cli.ts) — a
 * SQLite data directory made by the CLI, copied into a fresh database of the run's PostgreSQL,
 * then served from there.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliInProcess } from './helpers/cli.js'
import { freshPgDatabase } from './helpers/pg-databases.js'
import { SKIP_POSTGRES, SKIP_POSTGRES_NOTE } from './helpers/postgres.js'

let root: string
let dataDir: string

/** The store variables: DATABASE_URL needs a SECRETS_KEY beside it. */
const onPostgres = (url: string) => ({ DATABASE_URL: url, SECRETS_KEY: 'a1'.repeat(32) })

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'policyhost-cli-migrate-store-'))
  dataDir = join(root, 'data')
  expect((await runCliInProcess(dataDir, ['domain', 'add', 'example.org'])).code).toBe(0)
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe.skipIf(SKIP_POSTGRES)(`policyhost migrate-store${SKIP_POSTGRES_NOTE}`, () => {
  it('when run with DATABASE_URL, then it prints each table and the total, and PostgreSQL serves the data; a second run refuses', async () => {
    const url = await freshPgDatabase()
    const r = await runCliInProcess(dataDir, ['migrate-store'], onPostgres(url))
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^tenants 1$/m)
    expect(r.stdout).toMatch(/^domains 1$/m)
    expect(r.stdout).toMatch(/\ntotal \d+ rows copied from .*policyhost\.sqlite\n/)
    // The domain's policy host was never issued (CLI only): no certificate to move.
    expect(r.stdout).toMatch(/\ncertificates 0 moved into the store\n$/)

    const list = await runCliInProcess(dataDir, ['domain', 'list', '--json'], onPostgres(url))
    expect(JSON.parse(list.stdout).map((d: { name: string }) => d.name)).toEqual(['example.org'])

    const again = await runCliInProcess(dataDir, ['migrate-store'], onPostgres(url))
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(
      /^policyhost: the PostgreSQL database already holds rows \(.*\); use --replace to empty it first\n$/,
    )
    const replaced = await runCliInProcess(dataDir, ['migrate-store', '--replace'], onPostgres(url))
    expect(replaced.code).toBe(0)
  })

  it('when DATABASE_URL is unset or the file is missing, then one line on stderr and exit 1', async () => {
    const unset = await runCliInProcess(dataDir, ['migrate-store'])
    expect(unset.code).toBe(1)
    expect(unset.stderr).toBe(
      'policyhost: DATABASE_URL is unset: set it to the PostgreSQL database to copy into\n',
    )
    const missing = join(root, 'none.sqlite')
    const r = await runCliInProcess(
      dataDir,
      ['migrate-store', '--from', missing],
      onPostgres(await freshPgDatabase()),
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`policyhost: ${missing}: no such file (set --from or DATA_DIR)\n`)
  })
})
