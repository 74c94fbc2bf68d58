/**
 * Moving a SQLite deployment to PostgreSQL (issue 15): every row of the SQLite file copied, in
 * one transaction, into the database DATABASE_URL names (migrated first); then the certificate
 * files and the ACME account from CERTS_DIR into the shared store, keys sealed with SECRETS_KEY,
 * so the instances serve the certificates they have instead of ordering every one again.
 */
import type { Config } from '../config.js'
import { DomainError } from '../core/errors.js'
import { copyFromSqlite, type TableCopy } from '../adapters/pg/copy-from-sqlite.js'
import { fileAccountStore } from '../adapters/acme/account.js'
import { fileCertStore } from '../adapters/certs/file-store.js'
import { pgAccountStore } from '../adapters/pg/account-store.js'
import { pgCertStore } from '../adapters/pg/cert-store.js'
import { openPostgres, type OpenPg } from '../adapters/pg/database.js'
import { certStateRepo } from '../adapters/pg/repos/cert-states.js'

export interface MigrateStoreOptions {
  /** The SQLite file; default DATA_DIR/policyhost.sqlite. */
  from?: string
  /** Empty the target's tables first instead of refusing when they hold rows. */
  replace: boolean
}

export interface MigrateStoreSummary {
  from: string
  /** Rows per table, in the order they were copied (parents first). */
  tables: TableCopy[]
  total: number
  /** Certificates moved from CERTS_DIR into the store. */
  certificates: number
  /** Hostnames whose files could not be read whole (they are issued again). */
  unreadable: string[]
  /** Whether an ACME account for ACME_DIRECTORY_URL was moved. */
  account: boolean
}

/** Copies the SQLite deployment into the PostgreSQL database of DATABASE_URL. */
export async function migrateStore(
  config: Pick<Config, 'DATABASE_URL' | 'dbPath' | 'certsDir' | 'SECRETS_KEY' | 'acmeDirectoryUrl'>,
  opts: MigrateStoreOptions,
): Promise<MigrateStoreSummary> {
  if (config.DATABASE_URL === undefined) {
    throw new DomainError(
      'PRECONDITION_FAILED',
      'DATABASE_URL is unset: set it to the PostgreSQL database to copy into',
    )
  }
  const from = opts.from ?? config.dbPath
  // Two connections: the migrator's (it holds an advisory lock) and the copy's transaction.
  const target = openPostgres(config.DATABASE_URL, { max: 2 })
  try {
    const tables = await copyFromSqlite(from, target, { replace: opts.replace })
    const moved = await copyCertificates(config, target)
    return { from, tables, total: tables.reduce((sum, t) => sum + t.rows, 0), ...moved }
  } finally {
    await target.close()
  }
}

/**
 * Each issued certificate's files (checked in full) and the ACME account, into the store. Not
 * part of the rows' transaction: writing a bundle again is harmless, so a second run finishes
 * what a failed one began.
 */
async function copyCertificates(
  config: Pick<Config, 'certsDir' | 'SECRETS_KEY' | 'acmeDirectoryUrl'>,
  target: OpenPg,
): Promise<Pick<MigrateStoreSummary, 'certificates' | 'unreadable' | 'account'>> {
  const key = config.SECRETS_KEY
  if (key === undefined) throw new DomainError('PRECONDITION_FAILED', 'SECRETS_KEY is unset')
  const files = fileCertStore(config.certsDir)
  const shared = pgCertStore(target.db, key)
  let certificates = 0
  const unreadable: string[] = []
  for (const { hostname } of await certStateRepo(target.db).issued()) {
    const read = await files.read(hostname, 'full')
    if (read.status !== 'ok') {
      unreadable.push(hostname)
      continue
    }
    await shared.write(read.bundle)
    certificates++
  }
  let account = false
  const directory = config.acmeDirectoryUrl
  const stored = directory === null ? null : await fileAccountStore(config.certsDir).load(directory)
  if (directory !== null && stored !== null) {
    const accounts = pgAccountStore(target.db, key)
    await accounts.create(directory, stored.keyPem)
    if (stored.url !== null) await accounts.saveUrl(directory, stored.url)
    account = true
  }
  return { certificates, unreadable, account }
}
