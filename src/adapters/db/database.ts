/**
 * adapters/db: SQLite through better-sqlite3 + drizzle. Owns the connection, its pragmas, the
 * migrations and the repositories that implement core/ports. Imports core/ only.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import * as schema from './schema.js'

export type Db = BetterSQLite3Database<typeof schema>

export interface OpenDb {
  db: Db
  sqlite: Database.Database
  close(): void
}

const MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url))

/** Opens (creating if needed) the database file with WAL, foreign keys and a busy timeout. */
export function openDatabase(path: string): OpenDb {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  // WAL lets the CLI write while the server reads; 5 s covers a concurrent writer's transaction.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('synchronous = NORMAL')
  const db = drizzle(sqlite, { schema })
  return { db, sqlite, close: () => sqlite.close() }
}

/** Applies the committed drizzle-kit migrations; safe to call on every start. */
export function migrateDatabase(open: OpenDb): void {
  migrate(open.db, { migrationsFolder: MIGRATIONS })
}
