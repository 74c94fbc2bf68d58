import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { backupDatabase, databaseUsers, restoreDatabase, verifyDatabaseFile } from './backup.js'
import { migrateDatabase, openDatabase } from './database.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'policyhost-backup-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** A migrated policyhost database at `path` with a probe table holding `marker`. */
function makeDb(path: string, marker: string): void {
  const open = openDatabase(path)
  migrateDatabase(open)
  open.sqlite.exec('CREATE TABLE probe (marker TEXT)')
  open.sqlite.prepare('INSERT INTO probe VALUES (?)').run(marker)
  open.close()
}

const markerOf = (path: string): string => {
  const db = new Database(path, { readonly: true })
  try {
    return (db.prepare('SELECT marker FROM probe').get() as { marker: string }).marker
  } finally {
    db.close()
  }
}

/**
 * Another connection, on another thread, writing in a loop: each transaction adds a row to
 * `items` and its value to `totals`, so a copy of a torn state would show sum(items) != total.
 */
function startWriter(path: string): { started: Promise<unknown>; stop(): Promise<number> } {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads')
    const Database = require(workerData.module)
    const db = new Database(workerData.path)
    db.pragma('busy_timeout = 5000')
    const add = db.transaction((n) => {
      db.prepare('INSERT INTO items (v, pad) VALUES (?, randomblob(512))').run(n)
      db.prepare('UPDATE totals SET total = total + ?').run(n)
    })
    let n = 0, stop = false
    parentPort.on('message', () => { stop = true })
    const loop = () => {
      for (let i = 0; i < 50; i++) add(++n)
      if (stop) { db.close(); parentPort.postMessage(n) } else setImmediate(loop)
    }
    parentPort.postMessage('started')
    loop()
  `
  const worker = new Worker(code, {
    eval: true,
    workerData: { path, module: createRequire(import.meta.url).resolve('better-sqlite3') },
  })
  const started = new Promise((resolve) => worker.once('message', resolve))
  return {
    started,
    stop: async () => {
      await started
      const done = new Promise<number>((resolve) => worker.once('message', resolve))
      worker.postMessage('stop')
      const n = await done
      await worker.terminate()
      return n
    },
  }
}

describe('backupDatabase', () => {
  it('when another connection writes in a loop during the backup, then the copy is one consistent state', async () => {
    const live = join(dir, 'policyhost.sqlite')
    makeDb(live, 'live')
    const setup = new Database(live)
    setup.exec('CREATE TABLE items (v INTEGER, pad BLOB); CREATE TABLE totals (total INTEGER)')
    setup.exec('INSERT INTO totals VALUES (0)')
    // Enough pages that the copy takes several steps while the writer commits.
    setup.exec(
      'WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 4000) ' +
        'INSERT INTO items (v, pad) SELECT 0, randomblob(512) FROM c',
    )
    setup.close()
    const writer = startWriter(live)
    await writer.started
    // Each copy starts only once the writer has committed since the last look: the two copies
    // are then of two different states, however fast or slow the worker thread starts.
    const reader = new Database(live, { readonly: true })
    const count = () => (reader.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n
    let seen = 4000
    const afterAWrite = async () => {
      while (count() <= seen) await new Promise((r) => setTimeout(r, 5))
      seen = count()
    }
    const copies = [join(dir, 'a.sqlite'), join(dir, 'b.sqlite')]
    for (const copy of copies) {
      await afterAWrite()
      const facts = await backupDatabase(live, copy)
      expect(facts.migrations).toBeGreaterThan(0)
    }
    reader.close()
    const written = await writer.stop()
    expect(written).toBeGreaterThan(0)
    const rows: number[] = []
    for (const copy of copies) {
      const db = new Database(copy, { readonly: true })
      const { items, total } = db
        .prepare('SELECT (SELECT sum(v) FROM items) AS items, (SELECT total FROM totals) AS total')
        .get() as { items: number; total: number }
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(db.pragma('journal_mode', { simple: true })).toBe('delete')
      rows.push((db.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n)
      db.close()
      expect(items).toBe(total)
      expect(statSync(copy).mode & 0o777).toBe(0o600)
    }
    // The writer committed while the copies were taken: they are two different states.
    expect(rows[1]).toBeGreaterThan(rows[0]!)
  }, 30_000)

  it('when the destination exists, then it is refused and left alone', async () => {
    const live = join(dir, 'policyhost.sqlite')
    makeDb(live, 'live')
    writeFileSync(join(dir, 'taken'), 'mine')
    await expect(backupDatabase(live, join(dir, 'taken'))).rejects.toThrow('already exists')
    expect(readFileSync(join(dir, 'taken'), 'utf8')).toBe('mine')
  })
})

describe('restoreDatabase', () => {
  it('when a sound backup is restored, then it replaces the data and the old file and its WAL are kept aside', async () => {
    const live = join(dir, 'data', 'policyhost.sqlite')
    makeDb(live, 'before')
    const backup = join(dir, 'backup.sqlite')
    makeDb(join(dir, 'src.sqlite'), 'from-backup')
    await backupDatabase(join(dir, 'src.sqlite'), backup)
    // Journal files beside the old database: they must move with it, never meet the new file.
    const holder = new Database(live)
    holder.pragma('wal_autocheckpoint = 0')
    holder.prepare('UPDATE probe SET marker = ?').run('before-in-wal')
    const walCopy = readFileSync(`${live}-wal`)
    const shmCopy = readFileSync(`${live}-shm`)
    holder.close()
    writeFileSync(`${live}-wal`, walCopy)
    writeFileSync(`${live}-shm`, shmCopy)

    const now = new Date('2026-12-06T10:00:00.000Z')
    const outcome = await restoreDatabase(backup, live, now)

    const aside = `${live}.before-restore-2026-12-06T10-00-00-000Z`
    expect(outcome.movedAside).toEqual([aside, `${aside}-wal`, `${aside}-shm`])
    expect(markerOf(live)).toBe('from-backup')
    expect(existsSync(`${live}-wal`) && statSync(`${live}-wal`).size > 0).toBe(false)
    expect(markerOf(aside)).toBe('before-in-wal')
    expect(statSync(live).mode & 0o777).toBe(0o600)
    expect(readdirSync(join(dir, 'data')).filter((n) => n.includes('.restore-'))).toEqual([])
  })

  const refusals: { name: string; make(path: string): void; error: RegExp }[] = [
    {
      name: 'a corrupt file',
      make: (path) => {
        makeDb(path, 'x')
        const db = new Database(path)
        db.pragma('journal_mode = DELETE')
        db.close()
        const bytes = readFileSync(path)
        // Garbage over the second half of every page after the first: b-tree pages broken.
        for (let page = 1; page * 4096 < bytes.length; page++) {
          bytes.fill(0x5a, page * 4096 + 2048, (page + 1) * 4096)
        }
        writeFileSync(path, bytes)
      },
      error: /integrity check failed|not a sound SQLite database/,
    },
    {
      name: 'a file that is not SQLite at all',
      make: (path) => writeFileSync(path, 'hello, this is text'.repeat(300)),
      error: /not a sound SQLite database: file is not a database/,
    },
    {
      name: 'a SQLite database that is not policyhost',
      make: (path) => {
        const db = new Database(path)
        db.exec('CREATE TABLE notes (t TEXT)')
        db.close()
      },
      error: /not a policyhost database \(no migrations table\)/,
    },
    {
      name: 'a backup from a newer version',
      make: (path) => {
        makeDb(path, 'x')
        const db = new Database(path)
        db.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run(
          'f'.repeat(64),
          Date.UTC(2099, 0, 1),
        )
        db.close()
      },
      error: /written by a newer policyhost .*restore it with that version/,
    },
    {
      name: 'a drizzle database of another application',
      make: (path) => {
        const db = new Database(path)
        db.exec(
          'CREATE TABLE __drizzle_migrations (id INTEGER PRIMARY KEY, hash TEXT, created_at NUMERIC)',
        )
        db.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run(
          '0'.repeat(64),
          1,
        )
        db.close()
      },
      error: /not a policyhost database \(a migration this build never had\)/,
    },
  ]

  for (const c of refusals) {
    it(`when the source is ${c.name}, then it is refused and nothing changes`, async () => {
      const live = join(dir, 'data', 'policyhost.sqlite')
      makeDb(live, 'untouched')
      const src = join(dir, 'bad.sqlite')
      c.make(src)
      const before = readdirSync(join(dir, 'data')).sort()
      const bytes = readFileSync(live)
      await expect(restoreDatabase(src, live)).rejects.toThrow(c.error)
      expect(() => verifyDatabaseFile(src)).toThrow(c.error)
      expect(readdirSync(join(dir, 'data')).sort()).toEqual(before)
      expect(readFileSync(live).equals(bytes)).toBe(true)
      expect(markerOf(live)).toBe('untouched')
    })
  }
})

describe('databaseUsers', () => {
  it('when another connection has the file open, then it says so; when closed, then not', () => {
    const live = join(dir, 'policyhost.sqlite')
    makeDb(live, 'x')
    const other = openDatabase(live)
    other.sqlite.prepare('SELECT 1').get()
    expect(databaseUsers(live).openElsewhere).toBe(true)
    other.close()
    expect(databaseUsers(live)).toEqual({ lastHeartbeat: null, openElsewhere: false })
  })

  it('when an instance has a heartbeat, then the freshest one is returned', () => {
    const live = join(dir, 'policyhost.sqlite')
    makeDb(live, 'x')
    const db = new Database(live)
    const insert = db.prepare('INSERT INTO instances (id, started_at, seen_at) VALUES (?, ?, ?)')
    insert.run('a', 1_000, 5_000)
    insert.run('b', 1_000, 9_000)
    db.close()
    expect(databaseUsers(live).lastHeartbeat).toEqual(new Date(9_000))
  })

  it('when there is no database, then nobody uses it and nothing is created', () => {
    const path = join(dir, 'none.sqlite')
    expect(databaseUsers(path)).toEqual({ lastHeartbeat: null, openElsewhere: false })
    expect(existsSync(path)).toBe(false)
  })
})
