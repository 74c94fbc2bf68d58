import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import type { Db } from './database.js'
import * as schema from './schema.js'

/** Read-only connections of this thread, one per database file. */
const connections = new Map<string, Db>()

/**
 * A read-only connection to the database file, opened once per thread: a worker thread reads
 * what a tenant's request needs (a year of report tallies) without the serving loop. WAL lets
 * it read while the server writes.
 */
export function readOnlyDb(path: string): Db {
  let db = connections.get(path)
  if (!db) {
    const sqlite = new Database(path, { readonly: true, fileMustExist: true })
    sqlite.pragma('busy_timeout = 5000')
    db = drizzle(sqlite, { schema })
    connections.set(path, db)
  }
  return db
}
