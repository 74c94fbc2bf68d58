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

/**
 * Runs `both` (two concurrent calls) while another PostgreSQL session holds the lock `hold`
 * takes, releasing it once two sessions wait on locks: the calls then really overlap instead
 * of one finishing before the other starts. On SQLite it just runs them.
 */
export async function contended<T>(
  store: TestStore,
  hold: string,
  both: () => Promise<T>,
): Promise<T> {
  if (store.kind === 'sqlite') return both()
  const blocker = await store.pg.pool.connect()
  try {
    await blocker.query('BEGIN')
    await blocker.query(hold)
    const running = both()
    running.catch(() => undefined)
    await lockWaiters(store, 2)
    await blocker.query('COMMIT')
    return await running
  } finally {
    // Ends the hold if something failed before COMMIT (after it, a mere warning).
    await blocker.query('ROLLBACK')
    blocker.release()
  }
}

/** Resolves once `n` sessions of the store's database wait on a lock (PostgreSQL only). */
export async function lockWaiters(store: TestStore, n: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    // A transaction sees pg_stat_activity as of its first look: ask outside any.
    const [row] = await store.sql<{ n: number }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )
    if (row!.n >= n) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`${n} sessions never waited on a lock at once`)
}
