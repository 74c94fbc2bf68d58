/**
 * One PostgreSQL 15 for a whole `vitest run` (issue 15): global-setup.ts starts it and migrates
 * its `policyhost` database once; every test that needs a PostgreSQL store gets a database of
 * its own copied from that one (`CREATE DATABASE … TEMPLATE`, ~30 ms), so tests neither share
 * rows nor pay for migrations.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { migratePostgres, openPostgres } from '../../src/adapters/pg/database.js'

/** Set by global-setup.ts for every test worker: the server's `policyhost` database. */
export const PG_URL_ENV = 'POLICYHOST_TEST_PG_URL'

/** Migrates the template database (global set-up; no connection to it may stay open). */
export async function prepareTemplate(url: string): Promise<void> {
  const open = openPostgres(url, { max: 1 })
  try {
    await migratePostgres(open)
  } finally {
    await open.close()
  }
}

/** The run's PostgreSQL, or an error saying that global set-up did not start one. */
export function templateUrl(): string {
  const url = process.env[PG_URL_ENV]
  if (!url) throw new Error(`${PG_URL_ENV} is unset: global-setup.ts starts PostgreSQL`)
  return url
}

/** A new, migrated, empty database on the run's PostgreSQL; its URL. */
export async function freshPgDatabase(): Promise<string> {
  const template = new URL(templateUrl())
  const name = `t_${randomBytes(6).toString('hex')}`
  const admin = new URL(template)
  admin.pathname = '/postgres'
  const client = new pg.Client({ connectionString: admin.href })
  await client.connect()
  try {
    const from = template.pathname.slice(1)
    // Two test workers may copy at once; PostgreSQL refuses while another copy holds the
    // template, so try again briefly.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${from}`)
        break
      } catch (err) {
        if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err
        await new Promise((r) => setTimeout(r, 20 * attempt))
      }
    }
  } finally {
    await client.end()
  }
  const url = new URL(template)
  url.pathname = `/${name}`
  return url.href
}
