import type { ReportHealthRow } from '../report-ports.js'
import {
  healthRowOf,
  tlsHealth,
  type HealthRow,
  type ServedPolicy,
  type TlsHealth,
} from './health.js'
import type { NormalizedReport } from './report.js'
import { readTally } from './tally.js'

/** What the health view is asked for: the rows are read where it is computed (a worker). */
export interface HealthQuery {
  domainId: string
  /** The policy domain asked about (lower-case A-labels). */
  domain: string
  /** The window, UTC days YYYY-MM-DD, both included. */
  fromDay: string
  toDay: string
  served: ServedPolicy[]
  now: Date
  /** Days in the window, today (UTC) included. */
  days: number
}

export interface StoredHealthInput {
  /** The policy domain asked about (lower-case A-labels). */
  domain: string
  /** The stored rows of the window, JSON columns as text. */
  stored: ReportHealthRow[]
  served: ServedPolicy[]
  now: Date
  /** Days in the window, today (UTC) included. */
  days: number
}

/** Stored as JSON, the report's dates come back as strings. */
function revive(parsed: unknown): NormalizedReport {
  const r = parsed as NormalizedReport & { dateRange: { start: string | Date; end: string | Date } }
  return { ...r, dateRange: { start: new Date(r.dateRange.start), end: new Date(r.dateRange.end) } }
}

/** The health view for `query`, from the rows `read` returns for its window. */
export function healthOfQuery(
  query: HealthQuery,
  read: (query: HealthQuery) => ReportHealthRow[],
): TlsHealth {
  const { domain, served, now, days } = query
  return healthOfStored({ domain, stored: read(query), served, now, days })
}

/**
 * The health view from stored rows: each row's tally (computed at intake) is parsed and added
 * up; rows stored before tallies existed (migration 0007) are tallied from their parsed report.
 * Its cost grows with the rows a tenant's reports made, so the server runs it in a worker.
 */
export function healthOfStored(input: StoredHealthInput): TlsHealth {
  const rows: HealthRow[] = []
  for (const r of input.stored) {
    const tally = r.tally === null ? null : readTally(JSON.parse(r.tally))
    if (tally) {
      rows.push({
        id: r.id,
        organization: r.organization,
        reportId: r.reportId,
        start: r.startAt,
        tally,
      })
    } else if (r.parsed !== null) {
      const report = revive(JSON.parse(r.parsed))
      const row = healthRowOf({ id: r.id, submitter: r.organization, report }, input.domain)
      if (row) rows.push(row)
    }
  }
  const { domain, served, now, days } = input
  return tlsHealth({ domain, rows, served, now, days })
}
