/**
 * The store under a service world (issue 15): the same service tests run on SQLite or
 * PostgreSQL, chosen by `TEST_STORE=sqlite|postgres` (default sqlite). Tests reach the store only
 * through this interface, never through a driver, so a test written once runs on both.
 */
import type { ChangePublisher } from '../../src/core/changes.js'
import type { Repos } from '../../src/core/ports.js'
import { sqliteRepos } from '../../src/adapters/db/repos/index.js'
import { pgRepos } from '../../src/adapters/pg/repos/index.js'
import { openTestStore, type RawSql } from './repo-stores.js'

/** The store under a service world: its repositories and raw SQL for test set-ups. */
export interface WorldStore {
  readonly kind: 'sqlite' | 'postgres'
  repos(feed: ChangePublisher): Repos
  /** Runs `text` written with `?` placeholders; rows as plain objects (column names as written). */
  sql: RawSql
  close(): Promise<void>
}

function testStore(value: string | undefined): 'sqlite' | 'postgres' {
  if (value === undefined || value === '' || value === 'sqlite') return 'sqlite'
  if (value === 'postgres') return 'postgres'
  throw new Error(`TEST_STORE=${value}: expected sqlite or postgres`)
}

/** Which store the service tests run on: `TEST_STORE`, default sqlite. */
export const TEST_STORE: 'sqlite' | 'postgres' = testStore(process.env.TEST_STORE)

/** A fresh, migrated, empty store of the kind TEST_STORE names. */
export async function openWorldStore(): Promise<WorldStore> {
  const store = await openTestStore(TEST_STORE)
  const repos = (feed: ChangePublisher): Repos =>
    store.kind === 'sqlite' ? sqliteRepos(store.sqlite, feed) : pgRepos(store.pg, feed)
  return { kind: store.kind, repos, sql: store.sql, close: store.close }
}
