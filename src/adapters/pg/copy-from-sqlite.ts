/**
 * `migrate-store` (issue 15): every row of a SQLite deployment copied into PostgreSQL in one
 * transaction, in the order and with the conversions of copy-plan.ts.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import type pg from 'pg'
import { DomainError } from '../../core/errors.js'
import { copyPlan, quote, type TablePlan } from './copy-plan.js'
import { migratePostgres, type OpenPg } from './database.js'

const SQLITE_MIGRATIONS = fileURLToPath(new URL('../db/migrations', import.meta.url))

/** PostgreSQL's limit of bind parameters in one statement (a 16-bit count in the protocol). */
const MAX_PARAMS = 65535
/** Rows per INSERT: few enough round trips, small enough statements to plan quickly. */
const BATCH_ROWS = 2000
/** Bytes per INSERT at most (raw reports and logos are large): bounds this process's memory. */
const BATCH_BYTES = 8 * 1024 * 1024

/** Rows copied into one table. */
export interface TableCopy {
  table: string
  rows: number
}

export interface CopyOptions {
  /** Empty our tables first (in the same transaction) instead of refusing when they hold rows. */
  replace: boolean
  /** Rows per INSERT (default 2000; tests use fewer to cross batch boundaries). */
  batchRows?: number
}

const refuse = (message: string) => new DomainError('PRECONDITION_FAILED', message)

/**
 * The file must exist and carry exactly this build's migrations (drizzle's hashes): an older
 * schema lacks columns the copy reads; a newer one has data this build would drop.
 */
function checkMigrated(path: string, sqlite: Database.Database): void {
  const known = new Set(
    readMigrationFiles({ migrationsFolder: SQLITE_MIGRATIONS }).map((m) => m.hash),
  )
  const hasTable = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get()
  if (hasTable === undefined) throw refuse(`${path}: not a policyhost database (no migrations)`)
  const applied = new Set(
    (sqlite.prepare('SELECT hash FROM __drizzle_migrations').all() as { hash: string }[]).map(
      (r) => r.hash,
    ),
  )
  if ([...applied].some((hash) => !known.has(hash))) {
    throw refuse(`${path}: written by a newer policyhost; copy it with that version`)
  }
  const missing = [...known].filter((hash) => !applied.has(hash)).length
  if (missing > 0) {
    throw refuse(
      `${path}: ${missing} migration(s) behind this version; upgrade it first ` +
        '("policyhost migrate" with DATA_DIR its directory and DATABASE_URL unset)',
    )
  }
}

/** Opens the SQLite file for reading, refusing a missing or not fully migrated one. */
export function openSqliteSource(path: string): Database.Database {
  if (!existsSync(path)) throw refuse(`${path}: no such file (set --from or DATA_DIR)`)
  const sqlite = new Database(path, { fileMustExist: true })
  try {
    // A running server may write: wait for its short transactions rather than fail.
    sqlite.pragma('busy_timeout = 5000')
    sqlite.pragma('query_only = ON')
    checkMigrated(path, sqlite)
    return sqlite
  } catch (err) {
    sqlite.close()
    throw err
  }
}

async function prepareTarget(client: pg.PoolClient, plans: TablePlan[], replace: boolean) {
  const names = plans.map((p) => quote(p.name)).join(', ')
  if (replace) {
    await client.query(`TRUNCATE ${names} RESTART IDENTITY`)
    return
  }
  // Nobody writes between the check and the copy (a PostgreSQL instance already serving).
  await client.query(`LOCK TABLE ${names} IN EXCLUSIVE MODE`)
  const held = await client.query<{ name: string }>(
    plans
      .map((p) => `SELECT '${p.name}' AS name WHERE EXISTS (SELECT 1 FROM ${quote(p.name)})`)
      .join(' UNION ALL '),
  )
  if (held.rows.length > 0) {
    throw refuse(
      `the PostgreSQL database already holds rows (${held.rows.map((r) => r.name).join(', ')}); ` +
        'use --replace to empty it first',
    )
  }
}

async function copyTable(
  client: pg.PoolClient,
  sqlite: Database.Database,
  plan: TablePlan,
  batchRows: number,
): Promise<number> {
  const table = quote(plan.name)
  const columnList = plan.columns.map((c) => quote(c.name)).join(', ')
  const perBatch = Math.max(1, Math.min(batchRows, Math.floor(MAX_PARAMS / plan.columns.length)))
  let values: unknown[] = []
  let tuples: string[] = []
  let bytes = 0
  let copied = 0
  const flush = async () => {
    if (tuples.length === 0) return
    await client.query(`INSERT INTO ${table} (${columnList}) VALUES ${tuples.join(', ')}`, values)
    copied += tuples.length
    values = []
    tuples = []
    bytes = 0
  }
  const rows = sqlite.prepare(`SELECT ${columnList} FROM ${table}`).raw(true).iterate()
  for (const row of rows as Iterable<unknown[]>) {
    const placeholders = plan.columns.map((column, i) => {
      const raw = row[i]
      const value = raw === null ? null : column.convert(raw, `${plan.name}.${column.name}`)
      if (typeof value === 'string' || Buffer.isBuffer(value)) bytes += value.length
      values.push(value)
      return `$${values.length}::${column.cast}`
    })
    tuples.push(`(${placeholders.join(', ')})`)
    if (tuples.length >= perBatch || bytes >= BATCH_BYTES) await flush()
  }
  await flush()
  for (const serial of plan.serials) {
    // New rows must not reuse a copied id: the sequence continues after the largest.
    await client.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(${quote(serial)}), 0) + 1, false)
         FROM ${table}`,
      [plan.name, serial],
    )
  }
  return copied
}

/**
 * Migrates the PostgreSQL database, then copies every table of the SQLite database at
 * `sqlitePath` into it in one transaction: all rows or none. The SQLite side is read in one read
 * transaction, a consistent snapshot that a server writing meanwhile does not disturb. Refuses
 * (PRECONDITION_FAILED) a missing or not fully migrated file, and a target holding any row
 * unless `replace`. Each table's count is compared after the copy; a difference rolls back.
 */
export async function copyFromSqlite(
  sqlitePath: string,
  target: OpenPg,
  opts: CopyOptions,
): Promise<TableCopy[]> {
  const plans = copyPlan()
  const sqlite = openSqliteSource(sqlitePath)
  let client: pg.PoolClient
  try {
    // Only once the source is known good: a refused copy leaves the target as it was.
    await migratePostgres(target)
    client = await target.pool.connect()
  } catch (err) {
    sqlite.close()
    throw err
  }
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    try {
      await prepareTarget(client, plans, opts.replace)
      sqlite.exec('BEGIN')
      const copies: TableCopy[] = []
      for (const plan of plans) {
        const table = quote(plan.name)
        const expected = (
          sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as {
            n: number
          }
        ).n
        const copied = await copyTable(client, sqlite, plan, opts.batchRows ?? BATCH_ROWS)
        const found = (await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))
          .rows[0]!.n
        if (copied !== expected || Number(found) !== expected) {
          throw new Error(
            `${plan.name}: SQLite has ${expected} rows, ${copied} copied, PostgreSQL counts ${found}`,
          )
        }
        copies.push({ table: plan.name, rows: expected })
      }
      await client.query('COMMIT')
      return copies
    } catch (err) {
      // A connection that failed mid-copy cannot roll back; the server drops its transaction.
      await client.query('ROLLBACK').catch((e: Error) => (broken = e))
      throw err
    }
  } finally {
    client.release(broken)
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
    sqlite.close()
  }
}
