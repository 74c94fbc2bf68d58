/**
 * Issue 9, finding 9: DATA_DIR was 0755 and the SQLite files (every tenant's reports and token
 * hashes) 0644, readable by any local user. The server now keeps them 0700 and 0600, also when
 * it starts on a directory and files an older version left with wider modes.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../src/adapters/db/database.js'
import { startServer, type TestServer } from './helpers/test-server.js'
import { TEST_STORE } from './helpers/world-store.js'

let parent: string | undefined
let s: TestServer | undefined

afterEach(async () => {
  await s?.close()
  s = undefined
  if (parent) rmSync(parent, { recursive: true, force: true })
  parent = undefined
})

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8)
const DB_FILES = ['policyhost.sqlite', 'policyhost.sqlite-wal', 'policyhost.sqlite-shm']
// With TEST_STORE=postgres the server's store is its database: no SQLite files in DATA_DIR.
const dbFiles = () => (TEST_STORE === 'sqlite' ? DB_FILES : [])

describe('data files', () => {
  it('when the server starts on a fresh DATA_DIR, then the directory is 0700 and the database files 0600', async () => {
    parent = mkdtempSync(join(tmpdir(), 'policyhost-modes-'))
    const dataDir = join(parent, 'data')

    s = await startServer({ dataDir })

    expect(mode(dataDir)).toBe('700')
    for (const f of dbFiles()) expect(mode(join(dataDir, f)), f).toBe('600')
  })

  it('when the server starts on a DATA_DIR and database files with wider modes, then it narrows them', async () => {
    parent = mkdtempSync(join(tmpdir(), 'policyhost-modes-'))
    const dataDir = join(parent, 'data')
    mkdirSync(dataDir, { mode: 0o755 })
    chmodSync(dataDir, 0o755)
    const first = await startServer({ dataDir })
    await first.close({ keepData: true })
    for (const f of dbFiles()) {
      const path = join(dataDir, f)
      try {
        chmodSync(path, 0o644)
      } catch {
        writeFileSync(path, '', { mode: 0o644 })
      }
    }
    chmodSync(dataDir, 0o755)

    s = await startServer({ dataDir })

    expect(mode(dataDir)).toBe('700')
    for (const f of dbFiles()) expect(mode(join(dataDir, f)), f).toBe('600')
  })

  it('when the database lies in a shared sticky folder (a file under /tmp), then that folder keeps its mode', () => {
    // Once, a migrate-store test opened /tmp/x.sqlite and /tmp became 0700: every other user's
    // (and PostgreSQL's) temporary files were locked out.
    parent = mkdtempSync(join(tmpdir(), 'policyhost-modes-'))
    const shared = join(parent, 'shared')
    mkdirSync(shared)
    chmodSync(shared, 0o1777)
    openDatabase(join(shared, 'copy.sqlite')).close()
    expect((statSync(shared).mode & 0o7777).toString(8)).toBe('1777')
    expect(mode(join(shared, 'copy.sqlite'))).toBe('600')
  })
})
