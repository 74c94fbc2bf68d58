import { and, desc, eq, getTableColumns, gt, gte, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { ReportHealthRow, StoredReport, TlsReportRepo } from '../../../core/ports.js'
import { writeAudit } from '../audit.js'
import type { PgDb } from '../database.js'
import { withoutNul } from '../nul.js'
import { domains, tlsReports, tlsRptTokens } from '../schema.js'

// Listing never loads the parsed report, its tally or the raw bytes.
const { parsed: _parsed, raw: _raw, tally: _tally, ...summaryColumns } = getTableColumns(tlsReports)

const toReport = (row: typeof tlsReports.$inferSelect): StoredReport => ({
  ...row,
  raw: new Uint8Array(row.raw),
})

/** One domain's reports whose day falls in [fromDay, toDay] (tls_reports_domain_day). */
const inWindow = (domainId: string, fromDay: string, toDay: string) =>
  and(eq(tlsReports.domainId, domainId), gte(tlsReports.day, fromDay), lte(tlsReports.day, toDay))

/** The TLS report store in PostgreSQL (core/report-ports.ts has the contract). */
export function tlsReportRepo(db: PgDb): TlsReportRepo {
  return {
    async failureTotals(domainId, fromDay, toDay, top) {
      // Rows stored before tallies existed (migration 0007) have none and are left out.
      const withTally = and(
        inWindow(domainId, fromDay, toDay),
        sql`${tlsReports.tally} IS NOT NULL`,
      )
      // sum(bigint) is numeric; drizzle's queries bypass the pool's parsers (database.ts) and
      // give numeric and int8 as strings, hence mapWith and Number.
      const [sums] = await db
        .select({
          ok: sql<number>`coalesce(sum((${tlsReports.tally} ->> 'successful')::bigint), 0)`.mapWith(
            Number,
          ),
          failed: sql<number>`coalesce(sum((${tlsReports.tally} ->> 'failed')::bigint), 0)`.mapWith(
            Number,
          ),
        })
        .from(tlsReports)
        .where(withTally)
      // byType holds [result type, failed sessions] pairs (core/tls-rpt/tally.ts); ties by name
      // in byte order, as SQLite orders them, whatever the database's collation.
      const byType = await db.execute<{ resultType: string; failedSessions: string }>(sql`
        SELECT t.value ->> 0 AS "resultType", sum((t.value ->> 1)::bigint) AS "failedSessions"
          FROM ${tlsReports}, jsonb_array_elements(${tlsReports.tally} -> 'byType') AS t(value)
         WHERE ${withTally}
         GROUP BY t.value ->> 0
         ORDER BY 2 DESC, (t.value ->> 0) COLLATE "C"
         LIMIT ${top}`)
      return {
        successfulSessions: sums?.ok ?? 0,
        failedSessions: sums?.failed ?? 0,
        failuresByResultType: byType.rows.map((r) => ({
          resultType: r.resultType,
          failedSessions: Number(r.failedSessions),
        })),
      }
    },
    async insert(report) {
      // Only the submitter index counts as "already sent" (RFC 8460 §4.4: organization and
      // report id name a report); an id collision is a bug and should throw.
      const stored = await db
        .insert(tlsReports)
        .values({ ...withoutNul({ ...report, raw: null }), raw: Buffer.from(report.raw) })
        .onConflictDoNothing({
          target: [tlsReports.domainId, tlsReports.organization, tlsReports.reportId],
        })
        .returning({ id: tlsReports.id })
      return stored.length === 1
    },
    async list(domainId, fromDay, toDay, after, limit) {
      // Keyset: strictly after the cursor's (start, id) in (start desc, id desc) order; ids in
      // byte order so that every collation pages as SQLite does.
      const afterCursor = after
        ? or(
            lt(tlsReports.startAt, new Date(after.at)),
            and(
              eq(tlsReports.startAt, new Date(after.at)),
              sql`${tlsReports.id} COLLATE "C" < ${after.id}`,
            ),
          )
        : undefined
      return db
        .select(summaryColumns)
        .from(tlsReports)
        .where(and(inWindow(domainId, fromDay, toDay), afterCursor))
        .orderBy(desc(tlsReports.startAt), sql`${tlsReports.id} COLLATE "C" DESC`)
        .limit(limit)
    },
    async get(domainId, id) {
      const [row] = await db
        .select()
        .from(tlsReports)
        .where(and(eq(tlsReports.domainId, domainId), eq(tlsReports.id, id)))
      return row ? toReport(row) : null
    },
    async healthRows(domainId, fromDay, toDay): Promise<ReportHealthRow[]> {
      const rows = await db
        .select({
          id: tlsReports.id,
          organization: tlsReports.organization,
          reportId: tlsReports.reportId,
          startAt: tlsReports.startAt,
          // As text: parsing happens where the view is computed (a worker).
          tally: sql<string | null>`${tlsReports.tally}::text`,
          // The parsed report only for rows stored before tallies existed (migration 0007).
          legacy: sql<
            string | null
          >`CASE WHEN ${tlsReports.tally} IS NULL THEN ${tlsReports.parsed}::text END`,
        })
        .from(tlsReports)
        .where(inWindow(domainId, fromDay, toDay))
      return rows.map(({ legacy, ...r }) => ({ ...r, parsed: legacy }))
    },
    async endpoint(token, now) {
      const [row] = await db
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
      return row ?? null
    },
    async currentToken(domainId) {
      const [row] = await db
        .select({ token: tlsRptTokens.token })
        .from(tlsRptTokens)
        .where(and(eq(tlsRptTokens.domainId, domainId), isNull(tlsRptTokens.expiresAt)))
        .orderBy(desc(tlsRptTokens.createdAt))
        .limit(1)
      return row?.token ?? null
    },
    async rotateToken(domainId, token, now, graceUntil, audit) {
      await db.transaction(async (tx) => {
        // Two rotations at once would each expire only the tokens current when they started
        // and both insert theirs, leaving two current tokens, one never expiring. Locking the
        // domain row serialises them; the second's UPDATE (a new snapshot) then sees the
        // first's token. NO KEY UPDATE: reports inserted meanwhile (foreign keys) do not wait.
        await tx.execute(
          sql`SELECT 1 FROM ${domains} WHERE ${domains.id} = ${domainId} FOR NO KEY UPDATE`,
        )
        await tx
          .update(tlsRptTokens)
          .set({ expiresAt: graceUntil })
          .where(and(eq(tlsRptTokens.domainId, domainId), isNull(tlsRptTokens.expiresAt)))
        await tx.insert(tlsRptTokens).values({ token, domainId, createdAt: now })
        if (audit) await writeAudit(tx, audit)
      })
    },
  }
}
