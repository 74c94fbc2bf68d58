import { and, desc, eq, getTableColumns, gt, gte, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { ReportHealthRow, StoredReport, TlsReportRepo } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type Database from 'better-sqlite3'
import type { Db } from '../database.js'
import { domains, tlsReports, tlsRptTokens } from '../schema.js'

// Listing never loads the parsed report, its tally or the raw bytes.
const { parsed: _parsed, raw: _raw, tally: _tally, ...summaryColumns } = getTableColumns(tlsReports)

const toReport = (row: typeof tlsReports.$inferSelect): StoredReport => ({
  ...row,
  raw: new Uint8Array(row.raw),
})

/** One domain's reports whose day falls in [fromDay, toDay]. */
const inWindow = (domainId: string, fromDay: string, toDay: string) =>
  and(eq(tlsReports.domainId, domainId), gte(tlsReports.day, fromDay), lte(tlsReports.day, toDay))

export function tlsReportRepo(db: Db, sqlite: Database.Database): TlsReportRepo {
  // One domain's reports in the window that have a tally (rows before 0007 have none).
  const where = `r.domain_id = ? and r.day >= ? and r.day <= ? and r.tally is not null`
  const sums = sqlite.prepare<[string, string, string], { ok: number; failed: number }>(
    `select coalesce(sum(tally ->> '$.successful'), 0) as ok,
            coalesce(sum(tally ->> '$.failed'), 0) as failed
       from tls_reports r where ${where}`,
  )
  // byType holds [result type, failed sessions] pairs (core/tls-rpt/tally.ts).
  const types = sqlite.prepare<
    [string, string, string, number],
    { resultType: string; failedSessions: number }
  >(
    `select t.value ->> '$[0]' as resultType, sum(t.value ->> '$[1]') as failedSessions
       from tls_reports r, json_each(r.tally, '$.byType') t
      where ${where}
      group by 1 order by 2 desc, 1 limit ?`,
  )
  return {
    async failureTotals(domainId, fromDay, toDay, top) {
      const s = sums.get(domainId, fromDay, toDay)!
      return {
        successfulSessions: s.ok,
        failedSessions: s.failed,
        failuresByResultType: types.all(domainId, fromDay, toDay, top),
      }
    },
    async insert(report) {
      const r = db
        .insert(tlsReports)
        .values({ ...report, raw: Buffer.from(report.raw) })
        .onConflictDoNothing()
        .run()
      return r.changes === 1
    },
    async list(domainId, fromDay, toDay, after, limit) {
      // Keyset: strictly after the cursor's (start, id) in (start desc, id desc) order.
      const afterCursor = after
        ? or(
            lt(tlsReports.startAt, new Date(after.at)),
            and(eq(tlsReports.startAt, new Date(after.at)), lt(tlsReports.id, after.id)),
          )
        : undefined
      return db
        .select(summaryColumns)
        .from(tlsReports)
        .where(and(inWindow(domainId, fromDay, toDay), afterCursor))
        .orderBy(desc(tlsReports.startAt), desc(tlsReports.id))
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
    async healthRows(domainId, fromDay, toDay) {
      return selectHealthRows(db, domainId, fromDay, toDay)
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

/**
 * The health rows of a domain's window, JSON columns as text; a function of its own so that a
 * worker can run it on its own read-only connection.
 */
export function selectHealthRows(
  db: Db,
  domainId: string,
  fromDay: string,
  toDay: string,
): ReportHealthRow[] {
  const rows = db
    .select({
      id: tlsReports.id,
      organization: tlsReports.organization,
      reportId: tlsReports.reportId,
      startAt: tlsReports.startAt,
      tally: sql<string | null>`${tlsReports.tally}`,
      // The parsed report only for rows stored before tallies existed (migration 0007).
      legacy: sql<
        string | null
      >`CASE WHEN ${tlsReports.tally} IS NULL THEN ${tlsReports.parsed} END`,
    })
    .from(tlsReports)
    .where(inWindow(domainId, fromDay, toDay))
    .all()
  return rows.map(({ legacy, ...r }) => ({ ...r, parsed: legacy }))
}
