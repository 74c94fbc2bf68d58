import { and, count, eq, gte, sql, sum } from 'drizzle-orm'
import type { QuotaRepo } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { Db } from '../database.js'
import { bimiAssertions, domainLogos, domains, logos, tenants, tlsReports } from '../schema.js'

/** Usage counts for the quota checks; each is one indexed aggregate. */
export function quotaRepo(db: Db): QuotaRepo {
  return {
    async overrides(tenantId) {
      const row = db
        .select({ quotas: tenants.quotas })
        .from(tenants)
        .where(eq(tenants.id, tenantId))
        .get()
      return row?.quotas ?? null
    },
    async setOverrides(tenantId, overrides, audit) {
      db.transaction((tx) => {
        tx.update(tenants).set({ quotas: overrides }).where(eq(tenants.id, tenantId)).run()
        writeAudit(tx, audit)
      })
    },
    async domainCount(tenantId) {
      // Every status counts: a pending claim or a retiring domain still holds a name.
      const row = db
        .select({ n: count() })
        .from(domains)
        .where(eq(domains.tenantId, tenantId))
        .get()
      return row?.n ?? 0
    },
    async logoUsage(domainId) {
      const selectors =
        db
          .select({ n: count() })
          .from(bimiAssertions)
          .where(eq(bimiAssertions.domainId, domainId))
          .get()?.n ?? 0
      const kept = db
        .select({ n: count(), bytes: sum(logos.size) })
        .from(domainLogos)
        .innerJoin(logos, eq(logos.sha256, domainLogos.sha256))
        .where(eq(domainLogos.domainId, domainId))
        .get()
      return { selectors, logos: kept?.n ?? 0, logoBytes: Number(kept?.bytes ?? 0) }
    },
    async keepsLogo(domainId, sha256) {
      const row = db
        .select({ one: sql<number>`1` })
        .from(domainLogos)
        .where(and(eq(domainLogos.domainId, domainId), eq(domainLogos.sha256, sha256)))
        .get()
      return row !== undefined
    },
    async hasSelector(domainId, selector) {
      const row = db
        .select({ one: sql<number>`1` })
        .from(bimiAssertions)
        .where(and(eq(bimiAssertions.domainId, domainId), eq(bimiAssertions.selector, selector)))
        .get()
      return row !== undefined
    },
    async reportUsage(domainId, since) {
      // tls_reports_domain_received (domain_id, received_at) serves this range.
      const row = db
        .select({ n: count(), bytes: sum(tlsReports.storedBytes) })
        .from(tlsReports)
        .where(and(eq(tlsReports.domainId, domainId), gte(tlsReports.receivedAt, since)))
        .get()
      return { reports: row?.n ?? 0, bytes: Number(row?.bytes ?? 0) }
    },
  }
}
