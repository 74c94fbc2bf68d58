/**
 * Backup and restore of a data directory (issue 15 point 5): the database through SQLite's
 * online backup API (consistent while a server writes) and the certificate store, with a
 * manifest of hashes; a restore checks all of it, and that no server uses the directory, before
 * it replaces anything, and keeps what it replaces.
 */
import { mkdir, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Config } from '../config.js'
import { DomainError } from '../core/errors.js'
import {
  backupDatabase,
  databaseUsers,
  restoreDatabase,
  verifyDatabaseFile,
} from '../adapters/db/backup.js'
import { fsyncDir, hasErrorCode, randomSuffix } from '../adapters/certs/durable-fs.js'
import {
  BACKUP_CERTS,
  BACKUP_DB,
  BACKUP_MANIFEST,
  copyStore,
  firstDifference,
  readManifest,
  sha256,
  writeManifest,
} from '../adapters/fs/backup-dir.js'
import { LIVE_WINDOW_MS } from '../services/dns/zone-sync.js'
import { VERSION } from '../version.js'

type Paths = Pick<Config, 'DATA_DIR' | 'dbPath' | 'certsDir'>

export interface BackupSummary {
  dest: string
  migrations: number
  /** Files and links copied from the certificate store. */
  certFiles: number
}

export interface RestoreSummary {
  /** Everything replaced, kept beside the originals as `….before-restore-<stamp>`. */
  movedAside: string[]
  certFiles: number
}

/** null when `dir` does not exist; else whether it is an empty directory. */
async function emptyDir(dir: string): Promise<boolean | null> {
  try {
    if (!(await stat(dir)).isDirectory()) return false
    return (await readdir(dir)).length === 0
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) return null
    throw err
  }
}

/** Writes a backup of the data directory into `dest`, which must be new or an empty directory. */
export async function backupDataDir(
  paths: Paths,
  dest: string,
  now: Date = new Date(),
): Promise<BackupSummary> {
  const empty = await emptyDir(dest)
  if (empty === false) {
    throw new DomainError('CONFLICT', `${dest}: exists and is not an empty directory`)
  }
  if ((await emptyDir(paths.dbPath)) !== false) {
    throw new DomainError('PRECONDITION_FAILED', `no database at ${paths.dbPath}`)
  }
  await mkdir(dest, { recursive: true, mode: 0o700 })
  try {
    const db = await backupDatabase(paths.dbPath, join(dest, BACKUP_DB))
    const files = await copyStore(paths.certsDir, join(dest, BACKUP_CERTS), BACKUP_CERTS)
    await writeManifest(dest, {
      format: 1,
      version: VERSION,
      createdAt: now.toISOString(),
      database: { path: BACKUP_DB, sha256: sha256(await readFile(join(dest, BACKUP_DB))) },
      files,
    })
    await fsyncDir(dest)
    return { dest, migrations: db.migrations, certFiles: files.length }
  } catch (err) {
    // A half-written backup must not pass for one: what this call wrote goes.
    for (const name of [BACKUP_DB, BACKUP_CERTS, BACKUP_MANIFEST]) {
      await rm(join(dest, name), { recursive: true, force: true })
    }
    if (empty === null) await rmdir(dest).catch(() => undefined)
    throw err
  }
}

/** Refuses while a serving instance's heartbeat is fresh or another process has the file open. */
function checkUnused(paths: Paths, now: Date): void {
  const users = databaseUsers(paths.dbPath)
  if (users.lastHeartbeat !== null) {
    const age = now.getTime() - users.lastHeartbeat.getTime()
    if (age < LIVE_WINDOW_MS) {
      const seconds = Math.max(0, Math.round(age / 1000))
      throw new DomainError(
        'CONFLICT',
        `a server seen ${seconds} s ago is using DATA_DIR (${paths.DATA_DIR}); stop it first (or --force)`,
      )
    }
  }
  if (users.openElsewhere) {
    throw new DomainError(
      'CONFLICT',
      `another process has ${paths.dbPath} open (a running server?); stop it first (or --force)`,
    )
  }
}

/** Checks the backup in `src` against its manifest and the database against this build. */
async function checkBackup(src: string) {
  const manifest = await readManifest(src)
  const dbFile = join(src, BACKUP_DB)
  let data: Buffer
  try {
    data = await readFile(dbFile)
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) {
      throw new DomainError('PRECONDITION_FAILED', `${src}: ${BACKUP_DB} is missing`)
    }
    throw err
  }
  if (sha256(data) !== manifest.database.sha256) {
    throw new DomainError(
      'PRECONDITION_FAILED',
      `${BACKUP_DB}: does not match the manifest (changed or damaged)`,
    )
  }
  const found = await copyStore(join(src, BACKUP_CERTS), null, BACKUP_CERTS)
  const difference = firstDifference(manifest.files, found)
  if (difference !== null) throw new DomainError('PRECONDITION_FAILED', difference)
  verifyDatabaseFile(dbFile)
  return { manifest, dbFile }
}

/**
 * Restores the backup in `src` into the data directory. Everything is checked first (manifest,
 * hashes, database soundness and version, no server using it unless `force`); then the
 * certificate store is copied beside its place and checked again, the database replaced, and the
 * store swapped in. The replaced database and store are kept.
 */
export async function restoreDataDir(
  paths: Paths,
  src: string,
  opts: { force: boolean; now?: Date },
): Promise<RestoreSummary> {
  const now = opts.now ?? new Date()
  const { manifest, dbFile } = await checkBackup(src)
  if (!opts.force) checkUnused(paths, now)
  const stamp = now.toISOString().replace(/[:.]/g, '-')
  await mkdir(dirname(paths.dbPath), { recursive: true, mode: 0o700 })
  await mkdir(dirname(paths.certsDir), { recursive: true, mode: 0o700 })
  const staged = join(
    dirname(paths.certsDir),
    `.${basename(paths.certsDir)}.restore-${randomSuffix()}`,
  )
  let movedAside: string[]
  try {
    const written = await copyStore(join(src, BACKUP_CERTS), staged, BACKUP_CERTS)
    const difference = firstDifference(manifest.files, written)
    if (difference !== null) throw new DomainError('PRECONDITION_FAILED', difference)
    movedAside = (await restoreDatabase(dbFile, paths.dbPath, now)).movedAside
  } catch (err) {
    await rm(staged, { recursive: true, force: true })
    throw err
  }
  if ((await emptyDir(paths.certsDir)) !== null) {
    const aside = `${paths.certsDir}.before-restore-${stamp}`
    await rename(paths.certsDir, aside)
    movedAside.push(aside)
  }
  await rename(staged, paths.certsDir)
  await fsyncDir(dirname(paths.certsDir))
  return { movedAside, certFiles: manifest.files.length }
}
