/**
 * What integration tests read of a test server's store (issue 15), whichever store it is: the
 * store variables a server gets (a fresh PostgreSQL database with TEST_STORE=postgres) and a
 * reader that runs portable SQL on its SQLite file or its database.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openPostgres, type OpenPg } from '../../src/adapters/pg/database.js'
import { freshPgDatabase } from './pg-databases.js'
import { numbered, type RawSql } from './repo-stores.js'
import { TEST_STORE } from './world-store.js'

/** Seals private keys in a test's PostgreSQL store (required with DATABASE_URL). */
const TEST_SECRETS_KEY = '5e'.repeat(32)

/**
 * The store variables a test server gets: with TEST_STORE=postgres and no DATABASE_URL of the
 * caller's, a fresh database of its own (and the key that must go with it).
 */
export async function testStoreEnv(
  env: Record<string, string> = {},
): Promise<{ env: Record<string, string>; databaseUrl: string | null }> {
  if (env.DATABASE_URL !== undefined) {
    // The caller's own store, kept as given across restart().
    const { DATABASE_URL, SECRETS_KEY } = env
    const kept: Record<string, string> = { DATABASE_URL }
    if (SECRETS_KEY !== undefined) kept.SECRETS_KEY = SECRETS_KEY
    return { env: kept, databaseUrl: DATABASE_URL === '' ? null : DATABASE_URL }
  }
  if (TEST_STORE !== 'postgres') return { env: {}, databaseUrl: null }
  const databaseUrl = await freshPgDatabase()
  return { env: { DATABASE_URL: databaseUrl, SECRETS_KEY: TEST_SECRETS_KEY }, databaseUrl }
}

export interface AuditRow {
  at: number
  tenant_id: string | null
  actor_token_id: string | null
  action: string
  subject: string
  /** JSON text on both stores. */
  detail: string | null
}

/** What a test reads of a server's store, whichever store it is. */
export interface StoreReader {
  /**
   * Runs `text` written with `?` placeholders; rows as plain objects. Portable SQL only:
   * `count(*) AS n` read with Number(); booleans are 0/1 on SQLite and true/false on PostgreSQL.
   */
  sql: RawSql
  /** Every audit_log row, oldest first. */
  audit(): Promise<AuditRow[]>
}

/**
 * Reads the store of the server on `dataDir`: its SQLite file (a connection per call, so none
 * outlives the data dir), or a small pool on `databaseUrl`, opened on first use.
 */
export function storeReader(
  dataDir: string,
  databaseUrl: string | null,
): StoreReader & { close(): Promise<void> } {
  let pool: OpenPg | null = null
  const sql: RawSql = async <T>(text: string, ...params: unknown[]): Promise<T[]> => {
    if (databaseUrl !== null) {
      pool ??= openPostgres(databaseUrl, { max: 2 })
      return (await pool.pool.query(numbered(text), params)).rows as T[]
    }
    const db = new Database(join(dataDir, 'policyhost.sqlite'), { fileMustExist: true })
    try {
      // The server writes at the same time; wait for its lock rather than fail.
      db.pragma('busy_timeout = 5000')
      const stmt = db.prepare(text)
      if (stmt.reader) return stmt.all(...params) as T[]
      stmt.run(...params)
      return []
    } finally {
      db.close()
    }
  }
  const audit = async (): Promise<AuditRow[]> => {
    const rows = await sql<Omit<AuditRow, 'detail'> & { detail: unknown }>(
      'SELECT at, tenant_id, actor_token_id, action, subject, detail FROM audit_log ORDER BY id',
    )
    // SQLite returns the JSON text; PostgreSQL returns jsonb already parsed.
    return rows.map((r) => ({
      ...r,
      at: Number(r.at),
      detail:
        r.detail === null || typeof r.detail === 'string' ? r.detail : JSON.stringify(r.detail),
    }))
  }
  const close = async (): Promise<void> => {
    const open = pool
    pool = null
    await open?.close()
  }
  return { sql, audit, close }
}

/** The first column of every row, as better-sqlite3's pluck().all() gave it. */
export async function column<T = unknown>(
  s: StoreReader,
  text: string,
  ...params: unknown[]
): Promise<T[]> {
  return (await s.sql(text, ...params)).map((row) => Object.values(row)[0] as T)
}

/** The first column of the first row (undefined when there is none), as pluck().get(). */
export async function scalar<T = unknown>(
  s: StoreReader,
  text: string,
  ...params: unknown[]
): Promise<T | undefined> {
  return (await column<T>(s, text, ...params))[0]
}
