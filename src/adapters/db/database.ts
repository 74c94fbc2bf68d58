/**
 * adapters/db: SQLite through better-sqlite3 + drizzle. Owns the connection, its pragmas, the
 * migrations and the repositories that implement core/ports. Imports core/ only.
 */
import { closeSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { chmodIfOwned, privateDir } from '../fs/private-dir.js'
import * as schema from './schema.js'

export type Db = BetterSQLite3Database<typeof schema>

export interface OpenDb {
  db: Db
  sqlite: Database.Database
  close(): void
}

const MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url))

/**
 * The directory 0700 and the database files 0600, whatever the umask and whatever an older
 * version left: they hold every tenant's reports and token hashes. SQLite creates -wal and -shm
 * with the database file's mode, so narrowing that file first covers them.
 */
function narrowModes(path: string): void {
  privateDir(dirname(path))
  closeSync(openSync(path, 'a', 0o600))
  for (const file of [path, `${path}-wal`, `${path}-shm`]) chmodIfOwned(file, 0o600)
}

/** Opens (creating if needed) the database file with WAL, foreign keys and a busy timeout. */
export function openDatabase(path: string): OpenDb {
  if (path !== ':memory:') narrowModes(path)
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
