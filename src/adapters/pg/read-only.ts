import { openPostgres, type PgDb } from './database.js'

/** This thread's read-only connections, one per database URL. */
const connections = new Map<string, PgDb>()

/**
 * A read-only connection to PostgreSQL, opened once per worker thread: a worker reads what a
 * tenant's request needs (a year of report tallies) without the serving loop, as
 * ../db/read-only.ts does for SQLite. One connection: a worker runs one task at a time.
 */
export function readOnlyPg(url: string): PgDb {
  let db = connections.get(url)
  if (!db) {
    db = openPostgres(url, { max: 1, readOnly: true }).db
    connections.set(url, db)
  }
  return db
}
