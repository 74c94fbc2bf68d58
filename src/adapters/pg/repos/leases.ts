import { and, eq, lte, or, sql } from 'drizzle-orm'
import type { LeaseRepo } from '../../../core/leases.js'
import type { PgDb } from '../database.js'
import { jobLeases } from '../schema.js'

/**
 * Job leases on PostgreSQL (core/leases.ts): one INSERT … ON CONFLICT DO UPDATE … WHERE; a
 * racer waits on the row lock, re-evaluates the WHERE against the winner's row and gets no row.
 */
export function leaseRepo(db: PgDb): LeaseRepo {
  return {
    async acquire(name, owner, now, until) {
      const [row] = await db
        .insert(jobLeases)
        .values({ name, owner, until, token: 1 })
        .onConflictDoUpdate({
          target: jobLeases.name,
          set: { owner, until, token: sql`${jobLeases.token} + 1` },
          setWhere: or(lte(jobLeases.until, now), eq(jobLeases.owner, owner)),
        })
        .returning({ token: jobLeases.token })
      return row ? { name, owner, token: row.token, until } : null
    },
    async renew(lease, until) {
      const rows = await db
        .update(jobLeases)
        .set({ until })
        .where(fenced(lease))
        .returning({ token: jobLeases.token })
      return rows.length === 1
    },
    async release(lease, until) {
      await db.update(jobLeases).set({ until }).where(fenced(lease))
    },
  }
}

const fenced = (lease: { name: string; owner: string; token: number }) =>
  and(
    eq(jobLeases.name, lease.name),
    eq(jobLeases.owner, lease.owner),
    eq(jobLeases.token, lease.token),
  )
