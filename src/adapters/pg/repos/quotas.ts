import { and, count, eq, gte, sql, sum } from 'drizzle-orm'
import type { QuotaRepo } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { PgDb } from '../database.js'
import { bimiAssertions, domainLogos, domains, logos, tenants, tlsReports } from '../schema.js'

/**
 * Usage counts for the quota checks; each is one indexed aggregate. Counts are reads, not
 * reservations: two concurrent creations may both pass a check, as on SQLite across awaits.
 */
export function quotaRepo(db: PgDb): QuotaRepo {
  return {
    async overrides(tenantId) {
      const [row] = await db
        .select({ quotas: tenants.quotas })
        .from(tenants)
        .where(eq(tenants.id, tenantId))
      return row?.quotas ?? null
    },
    async setOverrides(tenantId, overrides, audit) {
      await db.transaction(async (tx) => {
        await tx.update(tenants).set({ quotas: overrides }).where(eq(tenants.id, tenantId))
        await writeAudit(tx, audit)
      })
    },
    async domainCount(tenantId) {
      // Every status counts: a pending claim or a retiring domain still holds a name.
      const [row] = await db
        .select({ n: count() })
        .from(domains)
        .where(eq(domains.tenantId, tenantId))
      return row?.n ?? 0
    },
    async logoUsage(domainId) {
      const [selectors] = await db
        .select({ n: count() })
        .from(bimiAssertions)
        .where(eq(bimiAssertions.domainId, domainId))
      // sum() of bigint is numeric: null over no rows, else parsed to a number by the pool.
      const [kept] = await db
        .select({ n: count(), bytes: sum(logos.size) })
        .from(domainLogos)
        .innerJoin(logos, eq(logos.sha256, domainLogos.sha256))
        .where(eq(domainLogos.domainId, domainId))
      return {
        selectors: selectors?.n ?? 0,
        logos: kept?.n ?? 0,
        logoBytes: Number(kept?.bytes ?? 0),
      }
    },
    async keepsLogo(domainId, sha256) {
      const [row] = await db
        .select({ one: sql<number>`1` })
        .from(domainLogos)
        .where(and(eq(domainLogos.domainId, domainId), eq(domainLogos.sha256, sha256)))
      return row !== undefined
    },
    async hasSelector(domainId, selector) {
      const [row] = await db
        .select({ one: sql<number>`1` })
        .from(bimiAssertions)
        .where(and(eq(bimiAssertions.domainId, domainId), eq(bimiAssertions.selector, selector)))
      return row !== undefined
    },
    async reportUsage(domainId, since) {
      // tls_reports_domain_received (domain_id, received_at) serves this range.
      const [row] = await db
        .select({ n: count(), bytes: sum(tlsReports.storedBytes) })
        .from(tlsReports)
        .where(and(eq(tlsReports.domainId, domainId), gte(tlsReports.receivedAt, since)))
      return { reports: row?.n ?? 0, bytes: Number(row?.bytes ?? 0) }
    },
  }
}
