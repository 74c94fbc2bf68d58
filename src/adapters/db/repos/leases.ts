import { and, eq, lte, or, sql } from 'drizzle-orm'
import type { LeaseRepo } from '../../../core/leases.js'
import type { Db } from '../database.js'
import { jobLeases } from '../schema.js'

/** Job leases on SQLite (core/leases.ts): one UPSERT whose WHERE decides who wins. */
export function leaseRepo(db: Db): LeaseRepo {
  return {
    async acquire(name, owner, now, until) {
      const row = db
        .insert(jobLeases)
        .values({ name, owner, until, token: 1 })
        .onConflictDoUpdate({
          target: jobLeases.name,
          set: { owner, until, token: sql`${jobLeases.token} + 1` },
          setWhere: or(lte(jobLeases.until, now), eq(jobLeases.owner, owner)),
        })
        .returning({ token: jobLeases.token })
        .get()
      return row ? { name, owner, token: row.token, until } : null
    },
    async renew(lease, until) {
      const r = db.update(jobLeases).set({ until }).where(fenced(lease)).run()
      return r.changes === 1
    },
    async release(lease, until) {
      db.update(jobLeases).set({ until }).where(fenced(lease)).run()
    },
  }
}

const fenced = (lease: { name: string; owner: string; token: number }) =>
  and(
    eq(jobLeases.name, lease.name),
    eq(jobLeases.owner, lease.owner),
    eq(jobLeases.token, lease.token),
  )
