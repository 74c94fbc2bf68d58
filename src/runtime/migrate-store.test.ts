/**
 * `migrate-store` moves what lives beside SQLite on disk too (issue 15 point 2): each issued
 * certificate with its key, and the ACME account, end up in the shared store, sealed — the
 * PostgreSQL instances serve the certificates they have instead of ordering all of them again.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freshPgDatabase } from '../../test/helpers/pg-databases.js'
import { SKIP_POSTGRES, SKIP_POSTGRES_NOTE } from '../../test/helpers/postgres.js'
import { loadConfig } from '../config.js'
import { fileAccountStore } from '../adapters/acme/account.js'
import { pgAccountStore } from '../adapters/pg/account-store.js'
import { pgCertStore } from '../adapters/pg/cert-store.js'
import { openPostgres } from '../adapters/pg/database.js'
import { migrateStore } from './migrate-store.js'
import { openRuntime } from './open.js'

const SECRETS_KEY = 'ab'.repeat(32)
const DIRECTORY = 'https://ca.example/directory'
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

describe.skipIf(SKIP_POSTGRES)(`migrate-store with certificates${SKIP_POSTGRES_NOTE}`, () => {
  it('when an SQLite deployment has issued certificates and an ACME account, then both move into the store, sealed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'policyhost-migrate-'))
    dirs.push(dataDir)
    const env = { DATA_DIR: dataDir, SERVICE_HOST: 'svc.example.net', POLICIES_DIR: '' }
    const rt = await openRuntime(loadConfig(env), { oneShot: true, logSink: () => {} })
    await rt.certs.renew(['svc.example.net'], true)
    const issued = await rt.store.certs.read('svc.example.net')
    await rt.close()
    expect(issued.status).toBe('ok')
    const accounts = fileAccountStore(join(dataDir, 'certs'))
    const account = await accounts.create(
      DIRECTORY,
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
    )
    await accounts.saveUrl(DIRECTORY, 'https://ca.example/acct/1')

    const url = await freshPgDatabase()
    const config = loadConfig({
      ...env,
      DATABASE_URL: url,
      SECRETS_KEY,
      ACME_DIRECTORY_URL: DIRECTORY,
    })
    const done = await migrateStore(config, { replace: false })

    expect(done).toMatchObject({ certificates: 1, unreadable: [], account: true })
    const target = openPostgres(url)
    try {
      const moved = await pgCertStore(target.db, config.SECRETS_KEY!).read(
        'svc.example.net',
        'full',
      )
      expect(moved.status).toBe('ok')
      if (moved.status === 'ok' && issued.status === 'ok') {
        expect(moved.bundle.serial).toBe(issued.bundle.serial)
        expect(moved.bundle.keyPem).toBe(issued.bundle.keyPem)
      }
      const [row] = (await target.pool.query('SELECT * FROM certificate_bundles')).rows as Record<
        string,
        unknown
      >[]
      expect(JSON.stringify(row)).not.toContain('PRIVATE KEY')
      expect(await pgAccountStore(target.db, config.SECRETS_KEY!).load(DIRECTORY)).toEqual({
        keyPem: account.keyPem,
        url: 'https://ca.example/acct/1',
      })
    } finally {
      await target.close()
    }
  })
})
