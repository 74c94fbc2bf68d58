/**
 * Both stores for repository tests (issue 15): a test written once runs on SQLite (in memory,
 * migrated) and on PostgreSQL (a fresh database copied from the run's migrated template), with
 * `describe.each(STORE_KINDS)`. Each case builds its own repository from `sqlite` or `pg`.
 */
import { migrateDatabase, openDatabase, type OpenDb } from '../../src/adapters/db/database.js'
import { openPostgres, type OpenPg } from '../../src/adapters/pg/database.js'
import { freshPgDatabase } from './pg-databases.js'
import { SKIP_POSTGRES } from './postgres.js'

export type StoreKind = 'sqlite' | 'postgres'

/** The stores this run tests: PostgreSQL unless a developer lacks its binaries (postgres.ts). */
export const STORE_KINDS: StoreKind[] = SKIP_POSTGRES ? ['sqlite'] : ['sqlite', 'postgres']

export type TestStore =
  | { kind: 'sqlite'; sqlite: OpenDb; pg: null; sql: RawSql; close(): Promise<void> }
  | { kind: 'postgres'; sqlite: null; pg: OpenPg; sql: RawSql; close(): Promise<void> }

/** Raw SQL with `?` placeholders on either store, for set-ups that reach past the ports. */
export type RawSql = <T = Record<string, unknown>>(
  text: string,
  ...params: unknown[]
) => Promise<T[]>

/** `?` → `$1`, `$2`, … (none of our test SQL has a `?` inside a string literal). */
export const numbered = (text: string): string => {
  let n = 0
  return text.replace(/\?/g, () => `$${++n}`)
}

export async function openTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'sqlite') {
    const sqlite = openDatabase(':memory:')
    migrateDatabase(sqlite)
    const sql: RawSql = async <T>(text: string, ...params: unknown[]) => {
      const stmt = sqlite.sqlite.prepare(text)
      if (stmt.reader) return stmt.all(...params) as T[]
      stmt.run(...params)
      return []
    }
    return { kind, sqlite, pg: null, sql, close: async () => sqlite.close() }
  }
  const pg = openPostgres(await freshPgDatabase())
  const sql: RawSql = async <T>(text: string, ...params: unknown[]) =>
    (await pg.pool.query(numbered(text), params)).rows as T[]
  return { kind, sqlite: null, pg, sql, close: () => pg.close() }
}
