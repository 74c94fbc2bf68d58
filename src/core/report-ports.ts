/**
 * The TLS report store's port (received reports, their report URLs) and its row types; split
 * from ports.ts, which re-exports them.
 */
import type { Cursor } from './cursor.js'
import type { AuditEntry } from './ports.js'

/** A received TLS report as stored: summary columns, the parsed report and the raw bytes. */
export interface StoredReport {
  id: string
  domainId: string
  organization: string
  reportId: string
  contact: string | null
  startAt: Date
  endAt: Date
  /** UTC day (YYYY-MM-DD) of startAt. */
  day: string
  successful: number
  failed: number
  parsed: unknown
  warnings: string[]
  /** The body as received, gzip-compressed. */
  raw: Uint8Array
  /** Where it came from: `https:<ip>` or `import:<file>`. */
  source: string
  receivedAt: Date
  /** Bytes the row costs (raw + parsed + tally + warnings), for the daily storage quota. */
  storedBytes: number
  /** Compact sums for the health view (core/tls-rpt/tally.ts); null on rows stored before. */
  tally: unknown
}

export type ReportSummary = Omit<StoredReport, 'parsed' | 'raw' | 'tally'>

/**
 * What the health view reads per report: small, whatever the report's size. The JSON columns
 * come as their text, so that parsing them happens where the view is computed (a worker).
 */
export interface ReportHealthRow {
  id: string
  organization: string
  reportId: string
  startAt: Date
  /** The tally as JSON text (core/tls-rpt/tally.ts); null on rows stored before tallies. */
  tally: string | null
  /** The parsed report as JSON text, only for rows stored before tallies (tally null). */
  parsed: string | null
}

export interface ReportEndpoint {
  domainId: string
  domain: string
  tenantId: string
}

export interface TlsReportRepo {
  /** Stores the report unless the same submitter already sent this report id; true if stored. */
  insert(report: StoredReport): Promise<boolean>
  /** One page, newest start first (then id), strictly after `after`; fetch limit + 1. */
  list(
    domainId: string,
    fromDay: string,
    toDay: string,
    after: Cursor | null,
    limit: number,
  ): Promise<ReportSummary[]>
  get(domainId: string, id: string): Promise<StoredReport | null>
  /** The health rows (tallies) of a domain's reports whose day is in [fromDay, toDay]. */
  healthRows(domainId: string, fromDay: string, toDay: string): Promise<ReportHealthRow[]>
  /**
   * Session sums of a domain's reports whose day is in [fromDay, toDay], from their tallies (the
   * domain's own policies only), with the `top` result types by failed sessions — added up by
   * the store, so the checker needs neither the rows nor a worker (rows stored before tallies
   * existed are left out).
   */
  failureTotals(
    domainId: string,
    fromDay: string,
    toDay: string,
    top: number,
  ): Promise<{
    successfulSessions: number
    failedSessions: number
    failuresByResultType: { resultType: string; failedSessions: number }[]
  }>
  /** The domain a report URL token belongs to, if the token is current or in its grace period. */
  endpoint(token: string, now: Date): Promise<ReportEndpoint | null>
  currentToken(domainId: string): Promise<string | null>
  /** Adds `token` as current; earlier current tokens keep working until `graceUntil`. */
  rotateToken(
    domainId: string,
    token: string,
    now: Date,
    graceUntil: Date,
    audit: AuditEntry | null,
  ): Promise<void>
}
