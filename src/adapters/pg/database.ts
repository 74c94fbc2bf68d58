/**
 * adapters/pg: the PostgreSQL store (issue 15) through node-postgres + drizzle. Owns the pool,
 * the migrations and the repositories that implement core/ports, as adapters/db does for SQLite.
 * Imports core/ only.
 */
import type { Duplex } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import { autoCork } from './auto-cork.js'
import { LOCK_KEYS } from './lock-keys.js'
import * as schema from './schema.js'

/** drizzle over the pool, which stays reachable (`$client`) for what drizzle cannot say: named statements. */
export type PgDb = NodePgDatabase<typeof schema> & { $client: pg.Pool }

export interface OpenPg {
  db: PgDb
  pool: pg.Pool
  close(): Promise<void>
}

export interface PgOptions {
  /** Connections in the pool (default 10): each instance's share of max_connections. */
  max?: number
  /** Gives up on a connection attempt after this long (default 5 s), so a write fails fast. */
  connectTimeoutMs?: number
  /** Told about errors of idle connections (the server went away); they are never thrown. */
  onIdleError?: (err: Error) => void
  /** Every transaction read-only (worker threads' connections): a bug there cannot write. */
  readOnly?: boolean
}

const MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url))

const INT8 = 20
const NUMERIC = 1700
/**
 * bigint (int8) columns hold epoch milliseconds, counts and versions, all far below 2^53; as
 * numbers they compare and add like SQLite's integers (node-postgres gives strings by default).
 * count(*) is int8 too; sum() of int8 is numeric. This covers `pool.query` only: drizzle sets
 * its own parsers per query, so a bare sql`count(*)` through drizzle needs `.mapWith(Number)`.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v)
    return pg.types.getTypeParser(oid, format)
  },
} as pg.CustomTypesConfig

/** node-postgres's connection of a client (`client.connection`, which its typings leave out). */
const connectionOf = (client: pg.PoolClient) =>
  (client as unknown as { connection: { stream: Duplex } }).connection

/** A pool on `url` (postgres://…); connections are made on first use. */
export function openPostgres(url: string, opts: PgOptions = {}): OpenPg {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    types,
    ...(opts.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  })
  // An idle client whose server went away emits here; unhandled, it would end the process.
  pool.on('error', (err) => opts.onIdleError?.(err))
  // At 'connect' the stream is the one queries use (the TLS socket when sslmode asks for it).
  pool.on('connect', (client) => autoCork(connectionOf(client).stream))
  const db = drizzle(pool, { schema })
  // Idempotent, as SQLite's close is: a runtime and its owner may both close it.
  let closing: Promise<void> | null = null
  return { db, pool, close: () => (closing ??= pool.end()) }
}

/**
 * Applies the committed drizzle-kit migrations; safe on every start and from several instances
 * at once (drizzle runs them in one transaction; an advisory lock serialises the starters).
 */
export async function migratePostgres(open: OpenPg): Promise<void> {
  const client = await open.pool.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [String(LOCK_KEYS.migrate)])
    try {
      await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS })
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [String(LOCK_KEYS.migrate)])
    }
  } finally {
    client.release()
  }
}
