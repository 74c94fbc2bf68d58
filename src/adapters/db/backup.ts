/**
 * adapters/db: a consistent copy of the live SQLite file (SQLite's online backup API) and the
 * way back, checking that a copy is sound and from this version or an older one before it
 * replaces anything.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { chmod, copyFile, link, open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { DomainError } from '../../core/errors.js'
import { fsyncDir, randomSuffix } from '../certs/durable-fs.js'

const MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url))
const MIGRATIONS_TABLE = '__drizzle_migrations'

/** What a checked database file holds. */
export interface DatabaseFacts {
  /** Migrations applied to it. */
  migrations: number
  /** drizzle's stamp (the journal's `when`) of its last migration. */
  lastMigrationAt: number
}

interface Migration {
  when: number
  hash: string
}

/** This build's migrations, hashed as drizzle's migrator hashes them (sha256 of the file). */
function knownMigrations(): Migration[] {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta', '_journal.json'), 'utf8')) as {
    entries: { when: number; tag: string }[]
  }
  return journal.entries.map((e) => ({
    when: e.when,
    hash: createHash('sha256')
      .update(readFileSync(join(MIGRATIONS, `${e.tag}.sql`)))
      .digest('hex'),
  }))
}

const refuse = (path: string, why: string) =>
  new DomainError('PRECONDITION_FAILED', `${basename(path)}: ${why}`)

/**
 * Checks `path` is a sound policyhost database this build can run: integrity_check says ok, it
 * has drizzle's migrations table, each applied migration is one of ours, and none is newer (a
 * newer build's schema would be run by code that does not know it). Throws PRECONDITION_FAILED.
 */
export function verifyDatabaseFile(path: string): DatabaseFacts {
  if (!existsSync(path)) throw refuse(path, 'no such file')
  let db: Database.Database
  try {
    db = new Database(path, { fileMustExist: true, readonly: true })
  } catch (err) {
    throw refuse(path, `cannot open: ${(err as Error).message}`)
  }
  try {
    let rows: { migration: string; created_at: number }[]
    try {
      const check = db.pragma('integrity_check') as { integrity_check: string }[]
      const problems = check.map((r) => r.integrity_check).filter((r) => r !== 'ok')
      if (problems.length > 0) {
        throw refuse(path, `integrity check failed: ${problems.slice(0, 3).join('; ')}`)
      }
      const table = db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
        .get(MIGRATIONS_TABLE)
      if (table === undefined) {
        throw refuse(path, 'not a policyhost database (no migrations table)')
      }
      rows = db
        .prepare(
          `SELECT hash AS migration, created_at FROM ${MIGRATIONS_TABLE} ORDER BY created_at`,
        )
        .all() as typeof rows
    } catch (err) {
      if (err instanceof DomainError) throw err
      // SQLITE_NOTADB, SQLITE_CORRUPT: what SQLite says is the useful part.
      throw refuse(path, `not a sound SQLite database: ${(err as Error).message}`)
    }
    return compareMigrations(path, rows)
  } finally {
    db.close()
  }
}

function compareMigrations(
  path: string,
  rows: { migration: string; created_at: number }[],
): DatabaseFacts {
  const known = knownMigrations()
  const latest = known.at(-1)?.when ?? 0
  const last = rows.at(-1)
  if (last === undefined) throw refuse(path, 'not a policyhost database (no migration applied)')
  if (Number(last.created_at) > latest) {
    throw refuse(
      path,
      `written by a newer policyhost (migration of ${new Date(Number(last.created_at)).toISOString()}, ` +
        `this build knows up to ${new Date(latest).toISOString()}); restore it with that version`,
    )
  }
  const hashes = new Set(known.map((m) => m.hash))
  if (rows.some((r) => !hashes.has(r.migration))) {
    throw refuse(path, 'not a policyhost database (a migration this build never had)')
  }
  return { migrations: rows.length, lastMigrationAt: Number(last.created_at) }
}

/** Pages per backup step: more than any database has, so the copy is one step. */
const ALL_PAGES = 2 ** 31 - 1

/**
 * Copies the database at `dbPath` to `destFile` (which must not exist) with SQLite's online
 * backup API, on a connection of its own, in one step: one consistent state even while a server
 * writes (a stepwise backup restarts whenever another connection commits). The copy is
 * switched to a rollback journal, so it is one self-contained file, then verified.
 */
export async function backupDatabase(dbPath: string, destFile: string): Promise<DatabaseFacts> {
  if (existsSync(destFile)) throw refuse(destFile, 'already exists')
  const source = new Database(dbPath, { fileMustExist: true })
  try {
    // The server's own writers hold the lock for milliseconds; wait for them rather than fail.
    source.pragma('busy_timeout = 5000')
    // In one step: SQLite restarts a stepwise backup whenever another connection commits to
    // the source, so under a steady writer (a busy server) small steps may never finish. One
    // step copies every page inside one read transaction — a WAL snapshot the writer does not
    // disturb — and holds no lock that stops the server writing.
    await source.backup(destFile, { progress: () => ALL_PAGES })
  } finally {
    source.close()
  }
  await chmod(destFile, 0o600)
  const copy = new Database(destFile, { fileMustExist: true })
  try {
    copy.pragma('journal_mode = DELETE')
  } finally {
    copy.close()
  }
  await syncFile(destFile)
  return verifyDatabaseFile(destFile)
}

/** What a restore did: where the replaced files went (empty when there was no database). */
export interface RestoreOutcome {
  facts: DatabaseFacts
  movedAside: string[]
}

/**
 * Replaces the database at `dbPath` with a checked copy of `srcFile`. The copy is written beside
 * it and verified there (so what is checked is what is installed), flushed, then renamed into
 * place; the old file and its -wal and -shm are kept as `<name>.before-restore-<stamp>` (the
 * journal files as `…-wal`, `…-shm`, so SQLite opens the kept set with its journal). No
 * server may use the database meanwhile (the caller checks databaseUsers first).
 */
export async function restoreDatabase(
  srcFile: string,
  dbPath: string,
  now: Date = new Date(),
): Promise<RestoreOutcome> {
  verifyDatabaseFile(srcFile)
  const tmp = join(dirname(dbPath), `.${basename(dbPath)}.restore-${randomSuffix()}`)
  let facts: DatabaseFacts
  try {
    await copyFile(srcFile, tmp)
    await chmod(tmp, 0o600)
    facts = verifyDatabaseFile(tmp)
    await syncFile(tmp)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  } finally {
    // Opening a WAL-flagged copy read-only may create (empty) journal files beside it.
    for (const suffix of ['-wal', '-shm']) await rm(tmp + suffix, { force: true })
  }
  const aside = `${dbPath}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`
  const movedAside: string[] = []
  // A hard link keeps the old file while the rename below replaces dbPath in one step.
  if (existsSync(dbPath)) {
    await link(dbPath, aside)
    movedAside.push(aside)
  }
  // A stale WAL beside the new file would be replayed into it: they go aside first.
  for (const suffix of ['-wal', '-shm']) {
    if (!existsSync(dbPath + suffix)) continue
    await rename(dbPath + suffix, aside + suffix)
    movedAside.push(aside + suffix)
  }
  await rename(tmp, dbPath)
  await fsyncDir(dirname(dbPath))
  return { facts, movedAside }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Who uses a database file right now. */
export interface DatabaseUsers {
  /** The freshest serving instance's heartbeat (`instances.seen_at`), or null. */
  lastHeartbeat: Date | null
  /** Another connection (in any process) has the file open: a server, or a CLI command. */
  openElsewhere: boolean
}

/**
 * Tries an exclusive lock without waiting, on a fresh connection (a WAL connection keeps a
 * shared lock on the file while open, so a refused lock means someone has it open), then reads
 * the heartbeats on another.
 */
export function databaseUsers(dbPath: string): DatabaseUsers {
  if (!existsSync(dbPath)) return { lastHeartbeat: null, openElsewhere: false }
  return { openElsewhere: openElsewhere(dbPath), lastHeartbeat: lastHeartbeat(dbPath) }
}

function openElsewhere(dbPath: string): boolean {
  const db = new Database(dbPath, { fileMustExist: true, timeout: 0 })
  try {
    // Set before the first access: only then does an exclusive WAL connection lock the file.
    db.pragma('locking_mode = EXCLUSIVE')
    db.exec('BEGIN EXCLUSIVE')
    db.exec('ROLLBACK')
    return false
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return true
    throw err
  } finally {
    db.close()
  }
}

function lastHeartbeat(dbPath: string): Date | null {
  const db = new Database(dbPath, { fileMustExist: true })
  try {
    db.pragma('busy_timeout = 5000')
    const table = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'instances'")
      .get()
    if (table === undefined) return null
    const row = db.prepare('SELECT max(seen_at) AS at FROM instances').get() as {
      at: number | null
    }
    return row.at === null ? null : new Date(Number(row.at))
  } finally {
    db.close()
  }
}
