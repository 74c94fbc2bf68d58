/**
 * `tls-rpt show|rotate|health|reports`: the services behind GET …/tls-rpt, POST …/tls-rpt/rotate,
 * GET …/tls-health and GET …/tls-reports.
 */
import { SYSTEM_ACTOR } from '../core/actor.js'
import { decodeCursor, type Cursor } from '../core/cursor.js'
import type { ReportSummary } from '../core/ports.js'
import { MAX_HEALTH_DAYS } from '../core/tls-rpt/health.js'
import type { Runtime } from '../main.js'
import { rotateReportToken } from '../services/tls-rpt/report-endpoint.js'
import { domainTlsHealth, listReports, REPORTS_PAGE_MAX } from '../services/tls-rpt/tls-reports.js'
import { getTlsRpt } from '../services/tls-rpt/tls-rpt.js'
import { flag, str, type OptionValues } from './command.js'
import { domainArg, fields, json, out, table, UsageError } from './output.js'

/** `tls-rpt show DOMAIN [--json]`. */
export async function tlsRptShow(rt: Runtime, name: string, o: OptionValues): Promise<number> {
  const t = await getTlsRpt(rt.deps, SYSTEM_ACTOR, domainArg(name))
  const v = {
    domain: t.domain,
    reportUrl: t.reportUrl,
    rua: t.rua,
    updatedAt: t.updatedAt.toISOString(),
  }
  if (flag(o, 'json')) json(v)
  else {
    fields([
      ['domain', v.domain],
      ['report URL', v.reportUrl],
      ['rua', v.rua.length > 0 ? v.rua.join(', ') : null],
      ['updated', v.updatedAt],
    ])
  }
  return 0
}

/** `tls-rpt rotate DOMAIN [--json]`. */
export async function tlsRptRotate(rt: Runtime, name: string, o: OptionValues): Promise<number> {
  const domain = domainArg(name)
  const r = await rotateReportToken(rt.deps, SYSTEM_ACTOR, domain)
  const until = r.previousValidUntil.toISOString()
  if (flag(o, 'json')) json({ url: r.url, previousValidUntil: until })
  else {
    out(
      `report URL: ${r.url}\nthe old URL keeps working until ${until}; publish the new ` +
        `_smtp._tls record before then (policyhost records ${domain})`,
    )
  }
  return 0
}

/** A whole number from 1 to MAX_HEALTH_DAYS, as the API's ?days= accepts. */
function daysOption(raw: string | undefined): number {
  if (raw === undefined) return 30
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_HEALTH_DAYS) {
    throw new UsageError(`--days must be a whole number from 1 to ${MAX_HEALTH_DAYS}`)
  }
  return n
}

/** `tls-rpt health DOMAIN [--days N] [--json]`: one line per day, then the totals. */
export async function tlsRptHealth(rt: Runtime, name: string, o: OptionValues): Promise<number> {
  const days = daysOption(str(o, 'days'))
  const h = await domainTlsHealth(rt.deps, SYSTEM_ACTOR, domainArg(name), days)
  if (flag(o, 'json')) {
    json(h)
    return 0
  }
  const failures = (f: {
    failuresByResultType: { resultType: string; failedSessions: number }[]
  }) => f.failuresByResultType.map((t) => `${t.resultType} ${t.failedSessions}`).join(', ') || null
  out(`TLS health of ${h.domain}, ${h.from} to ${h.to}`)
  table(
    ['day', 'reports', 'successful', 'failed', 'failures by type', 'reporters'],
    [...h.days, { ...h.totals, day: 'total' }].map((d) => [
      d.day,
      d.reports,
      d.successfulSessions,
      d.failedSessions,
      failures(d),
      d.reporters.join(', ') || null,
    ]),
  )
  return 0
}

/** A day option: YYYY-MM-DD and a real calendar day, as the API's ?from= and ?to=. */
function dayOption(o: OptionValues, key: string): string | undefined {
  const d = str(o, key)
  if (d === undefined) return undefined
  const t = Date.parse(`${d}T00:00:00Z`)
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(d) ||
    !Number.isFinite(t) ||
    new Date(t).toISOString().slice(0, 10) !== d
  ) {
    throw new UsageError(`--${key} must be a calendar day (YYYY-MM-DD)`)
  }
  return d
}

/** `tls-rpt reports DOMAIN [--from DAY] [--to DAY] [--json]`: every page, newest first. */
export async function tlsRptReports(rt: Runtime, name: string, o: OptionValues): Promise<number> {
  const domain = domainArg(name)
  const range = { from: dayOption(o, 'from'), to: dayOption(o, 'to') }
  const rows: ReportSummary[] = []
  let cursor: Cursor | undefined
  do {
    const page = await listReports(rt.deps, SYSTEM_ACTOR, domain, {
      ...range,
      cursor,
      limit: REPORTS_PAGE_MAX,
    })
    rows.push(...page.items)
    cursor = page.nextCursor === null ? undefined : (decodeCursor(page.nextCursor) ?? undefined)
  } while (cursor)
  const view = rows.map((r) => ({
    id: r.id,
    organization: r.organization,
    reportId: r.reportId,
    start: r.startAt.toISOString(),
    end: r.endAt.toISOString(),
    successful: r.successful,
    failed: r.failed,
    warnings: r.warnings,
    receivedAt: r.receivedAt.toISOString(),
    storedBytes: r.storedBytes,
  }))
  if (flag(o, 'json')) json(view)
  else {
    table(
      ['id', 'organization', 'report id', 'start', 'end', 'successful', 'failed'],
      view.map((r) => [r.id, r.organization, r.reportId, r.start, r.end, r.successful, r.failed]),
    )
  }
  return 0
}
