import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Change } from '../../core/changes.js'
import { migrateDatabase, openDatabase, type OpenDb } from '../db/database.js'
import { dataVersion } from '../db/data-version.js'
import { createLogger } from '../log/logger.js'
import { inProcessFeed } from './in-process.js'
import { watchDataVersion, type DataVersionWatch } from './sqlite-data-version.js'

let dir: string
let here: OpenDb
let other: OpenDb
let watch: DataVersionWatch | undefined
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'policyhost-dv-'))
  here = openDatabase(join(dir, 'db.sqlite'))
  migrateDatabase(here)
  other = openDatabase(join(dir, 'db.sqlite'))
})
afterEach(() => {
  watch?.stop()
  here.close()
  other.close()
  rmSync(dir, { recursive: true, force: true })
})

const insertTenant = (db: OpenDb, id: string) =>
  db.sqlite.prepare('insert into tenants (id, name, created_at) values (?, ?, ?)').run(id, id, 0)

async function watching(polled: boolean[] = []) {
  const got: Change[] = []
  const feed = inProcessFeed(createLogger('error', () => {}))
  feed.subscribe((c) => void got.push(c))
  watch = await watchDataVersion({
    marker: dataVersion(here),
    intervalMs: 10,
    feed,
    log: createLogger('error', () => {}),
    polled: (ok) => void polled.push(ok),
  })
  return got
}
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('SQLite data_version watcher', () => {
  it('when another connection commits, then one reconcile is published', async () => {
    const got = await watching()
    watch!.start()
    insertTenant(other, 't1')
    await wait(60)

    expect(got).toEqual([{ type: 'reconcile' }])
  })

  it('when only this connection commits, then nothing is published (its own writes publish themselves)', async () => {
    const polled: boolean[] = []
    const got = await watching(polled)
    watch!.start()
    insertTenant(here, 't1')
    await wait(60)

    expect(got).toEqual([])
    expect(polled.length).toBeGreaterThan(0)
    expect(polled.every(Boolean)).toBe(true)
  })

  it('when another connection commits after the baseline but before start, then the first poll reports it', async () => {
    const got = await watching()
    insertTenant(other, 't1')
    watch!.start()
    await wait(60)

    expect(got).toEqual([{ type: 'reconcile' }])
  })
})
