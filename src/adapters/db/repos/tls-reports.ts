import { and, desc, eq, getTableColumns, gt, gte, isNull, lte, or, sql } from 'drizzle-orm'
import type { StoredReport, TlsReportRepo } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { Db } from '../database.js'
import { domains, tlsReports, tlsRptTokens } from '../schema.js'

// Listing never loads the parsed report or the raw bytes.
const { parsed: _parsed, raw: _raw, ...summaryColumns } = getTableColumns(tlsReports)

const toReport = (row: typeof tlsReports.$inferSelect): StoredReport => ({
  ...row,
  raw: new Uint8Array(row.raw),
})

/** One domain's reports whose day falls in [fromDay, toDay]. */
const inWindow = (domainId: string, fromDay: string, toDay: string) =>
  and(eq(tlsReports.domainId, domainId), gte(tlsReports.day, fromDay), lte(tlsReports.day, toDay))

export function tlsReportRepo(db: Db): TlsReportRepo {
  return {
    async insert(report) {
      const r = db
        .insert(tlsReports)
        .values({ ...report, raw: Buffer.from(report.raw) })
        .onConflictDoNothing()
        .run()
      return r.changes === 1
    },
    async list(domainId, fromDay, toDay, limit) {
      return db
        .select(summaryColumns)
        .from(tlsReports)
        .where(inWindow(domainId, fromDay, toDay))
        .orderBy(desc(tlsReports.startAt))
        .limit(limit)
        .all()
    },
    async get(domainId, id) {
      const row = db
        .select()
        .from(tlsReports)
        .where(and(eq(tlsReports.domainId, domainId), eq(tlsReports.id, id)))
        .get()
      return row ? toReport(row) : null
    },
    async parsedInWindow(domainId, fromDay, toDay) {
      return db
        .select({
          id: tlsReports.id,
          organization: tlsReports.organization,
          parsed: tlsReports.parsed,
        })
        .from(tlsReports)
        .where(inWindow(domainId, fromDay, toDay))
        .all()
    },
    async endpoint(token, now) {
      const row = db
        .select({ domainId: domains.id, domain: domains.name, tenantId: domains.tenantId })
        .from(tlsRptTokens)
        .innerJoin(domains, eq(domains.id, tlsRptTokens.domainId))
        .where(
          and(
            eq(tlsRptTokens.token, token),
            // A pending claim takes no reports: nobody has proven it is theirs (issue 9).
            sql`${domains.status} <> 'pending'`,
            or(isNull(tlsRptTokens.expiresAt), gt(tlsRptTokens.expiresAt, now)),
          ),
        )
        .get()
      return row ?? null
    },
    async currentToken(domainId) {
      const row = db
        .select({ token: tlsRptTokens.token })
        .from(tlsRptTokens)
        .where(and(eq(tlsRptTokens.domainId, domainId), isNull(tlsRptTokens.expiresAt)))
        .orderBy(desc(tlsRptTokens.createdAt))
        .get()
      return row?.token ?? null
    },
    async rotateToken(domainId, token, now, graceUntil, audit) {
      db.transaction((tx) => {
        tx.update(tlsRptTokens)
          .set({ expiresAt: graceUntil })
          .where(and(eq(tlsRptTokens.domainId, domainId), isNull(tlsRptTokens.expiresAt)))
          .run()
        tx.insert(tlsRptTokens).values({ token, domainId, createdAt: now }).run()
        if (audit) writeAudit(tx, audit)
      })
    },
  }
}
