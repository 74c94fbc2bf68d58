/**
 * The store a runtime runs on (issue 15): SQLite in DATA_DIR by default, PostgreSQL when
 * DATABASE_URL is set. Both give the same ports; what differs is how a process hears about other
 * processes' commits and where worker threads read report rows.
 */
import type { Config } from '../config.js'
import type { AcmeAccountStore, CertStore } from '../core/certs/types.js'
import type { ChangeFeed } from '../core/changes.js'
import type { DatabaseProbe } from '../core/health.js'
import type { Logger, Repos } from '../core/ports.js'
import { fileAccountStore } from '../adapters/acme/account.js'
import { fileCertStore } from '../adapters/certs/file-store.js'
import { inProcessFeed } from '../adapters/changes/in-process.js'
import { pgChangeFeed } from '../adapters/changes/pg-notify.js'
import { watchDataVersion } from '../adapters/changes/sqlite-data-version.js'
import { migrateDatabase, openDatabase, type OpenDb } from '../adapters/db/database.js'
import { dataVersion } from '../adapters/db/data-version.js'
import { databaseProbe } from '../adapters/db/health-probe.js'
import { sqliteRepos } from '../adapters/db/repos/index.js'
import { privateDir } from '../adapters/fs/private-dir.js'
import { pgAccountStore } from '../adapters/pg/account-store.js'
import { pgCertStore } from '../adapters/pg/cert-store.js'
import { migratePostgres, openPostgres } from '../adapters/pg/database.js'
import { pgProbe } from '../adapters/pg/health-probe.js'
import { pgRepos } from '../adapters/pg/repos/index.js'
import type { ReportSource } from '../adapters/workers/tasks.js'

/** Noticing other processes' commits: begun before the first full load, polled after it. */
export interface OthersWatch {
  /** Starts whatever runs in the background (listeners are up; a reconcile may order certs). */
  start(): void
  stop(): Promise<void>
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres'
  readonly repos: Repos
  /** This process's committed changes, and on PostgreSQL every other instance's too. */
  readonly changes: ChangeFeed
  readonly probe: () => Promise<DatabaseProbe>
  /** Where worker threads read report rows for the health view (read-only). */
  readonly reportSource: ReportSource
  /**
   * Certificates and their keys: files under CERTS_DIR beside SQLite; rows in PostgreSQL (keys
   * sealed with SECRETS_KEY), so every instance serves every host (issue 15 point 2).
   */
  readonly certs: CertStore
  /** The ACME account (key and URL), where the certificates are. */
  readonly accounts: AcmeAccountStore
  /** SQLite's open database (backup, the SQLite-only tools); null on PostgreSQL. */
  readonly sqlite: OpenDb | null
  /**
   * Other processes' commits as events on `changes` — SQLite: `PRAGMA data_version` polled every
   * SNAPSHOT_POLL_SECONDS; PostgreSQL: LISTEN, plus a reconcile every CHANGE_RECONCILE_SECONDS.
   * Resolves once the baseline is taken (SQLite) or LISTEN is in place (PostgreSQL): call it
   * before loading the views, so no commit falls between. `ok` reports each poll or connection.
   */
  watchOthers(ok: (up: boolean) => void): Promise<OthersWatch>
  close(): Promise<void>
}

export interface StoreOptions {
  /** Unique per process: names this process's notifications (and its leases). */
  instanceId: string
}

/** Opens and migrates the configured store. */
export async function openStore(config: Config, log: Logger, opts: StoreOptions): Promise<Store> {
  return config.DATABASE_URL === undefined
    ? sqliteStore(config, log)
    : postgresStore(config, config.DATABASE_URL, log, opts)
}

function sqliteStore(config: Config, log: Logger): Store {
  const open = openDatabase(config.dbPath)
  migrateDatabase(open)
  // Writes publish here once committed; each reader of served state subscribes once.
  const changes = inProcessFeed(log)
  return {
    kind: 'sqlite',
    repos: sqliteRepos(open, changes),
    changes,
    probe: databaseProbe(open),
    reportSource: { sqlite: config.dbPath },
    certs: fileCertStore(config.certsDir),
    accounts: fileAccountStore(config.certsDir),
    sqlite: open,
    async watchOthers(ok) {
      const watch = await watchDataVersion({
        marker: dataVersion(open),
        intervalMs: config.SNAPSHOT_POLL_SECONDS * 1000,
        feed: changes,
        log,
        polled: ok,
      })
      return { start: () => watch.start(), stop: async () => watch.stop() }
    },
    close: async () => open.close(),
  }
}

async function postgresStore(
  config: Config,
  url: string,
  log: Logger,
  opts: StoreOptions,
): Promise<Store> {
  // DATA_DIR keeps the local CA's key (and nothing of the database): private as with SQLite.
  privateDir(config.DATA_DIR)
  // config.ts refuses DATABASE_URL without SECRETS_KEY; this keeps the type honest.
  const key = config.SECRETS_KEY
  if (key === undefined) throw new Error('SECRETS_KEY is required with DATABASE_URL')
  const open = openPostgres(url, {
    max: config.DATABASE_POOL_MAX,
    // Errors of idle connections (the server restarted); the next query reconnects.
    onIdleError: (err) => log.warn('database_connection_lost', { error: err.message }),
  })
  await migratePostgres(open)
  const changes = pgChangeFeed({
    pool: open.pool,
    url,
    local: inProcessFeed(log),
    origin: opts.instanceId,
    log,
    reconcileMs: config.CHANGE_RECONCILE_SECONDS * 1000,
  })
  return {
    kind: 'postgres',
    repos: pgRepos(open, changes),
    changes,
    probe: pgProbe(open),
    reportSource: { postgres: url },
    certs: pgCertStore(open.db, key),
    accounts: pgAccountStore(open.db, key),
    sqlite: null,
    async watchOthers(ok) {
      await changes.start(ok)
      return { start: () => {}, stop: () => changes.stop() }
    },
    async close() {
      await changes.stop()
      await open.close()
    },
  }
}
