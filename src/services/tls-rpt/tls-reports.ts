import type { Actor } from '../../core/actor.js'
import { DomainError } from '../../core/errors.js'
import { pageOf, type Cursor, type Page } from '../../core/cursor.js'
import type { ReportSummary } from '../../core/ports.js'
import { MAX_HEALTH_DAYS, type TlsHealth } from '../../core/tls-rpt/health.js'
import { enforceReadiness, type Readiness } from '../../core/tls-rpt/readiness.js'
import type { ServiceDeps } from '../deps.js'
import { dayOf } from './report-intake.js'
import { ownedDomain } from '../scope.js'

/** Reports per page: the default, and the most one page returns. */
export const REPORTS_PAGE = 100
export const REPORTS_PAGE_MAX = 1_000

/**
 * One page of the domain's reports whose period starts within [from, to] (UTC days; default the
 * last 30 days), newest first; `cursor` continues from a previous page.
 */
export async function listReports(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
  range: { from?: string; to?: string; cursor?: Cursor; limit?: number },
): Promise<Page<ReportSummary>> {
  const domain = await ownedDomain(deps, actor, name)
  const to = range.to ?? dayOf(deps.clock.now())
  const from = range.from ?? dayOf(new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000))
  const limit = Math.min(Math.max(range.limit ?? REPORTS_PAGE, 1), REPORTS_PAGE_MAX)
  const rows = await deps.repos.reports.list(domain.id, from, to, range.cursor ?? null, limit + 1)
  return pageOf(rows, limit, (r) => ({ at: r.startAt.getTime(), id: r.id }))
}

/** One report: the parsed form and the raw JSON exactly as received (decompressed). */
export async function getReport(deps: ServiceDeps, actor: Actor, name: string, id: string) {
  const domain = await ownedDomain(deps, actor, name)
  const report = await deps.repos.reports.get(domain.id, id)
  if (!report) throw new DomainError('NOT_FOUND', `report "${id}" not found`)
  // The tally is the health view's internal sum; the parsed form and raw JSON say it all.
  const { raw, tally: _tally, ...rest } = report
  return { ...rest, rawJson: await deps.tlsrpt.rawText(raw, domain.tenantId) }
}

/** Per-day TLS health over the last `days` days, matched against the policies we served. */
export async function domainTlsHealth(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
  days: number,
): Promise<TlsHealth> {
  const domain = await ownedDomain(deps, actor, name)
  const now = deps.clock.now()
  const span = Math.min(Math.max(days, 1), MAX_HEALTH_DAYS)
  const from = dayOf(new Date(now.getTime() - (span - 1) * 86_400_000))
  const served = await deps.repos.policies.versions(domain.id)
  // Reading and adding up the window's tallies runs off the serving loop, as the tenant's work.
  return deps.tlsrpt.health(
    {
      domainId: domain.id,
      domain: domain.name,
      fromDay: from,
      toDay: dayOf(now),
      served,
      now,
      days: span,
    },
    domain.tenantId,
  )
}

/** Readiness to move from testing to enforce: 14 days of reports, < 1 % failures, every mx seen. */
export async function enforceAdvice(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
): Promise<Readiness | null> {
  const domain = await ownedDomain(deps, actor, name)
  const policy = await deps.repos.policies.get(domain.id)
  if (!policy || policy.mode !== 'testing') return null
  const health = await domainTlsHealth(deps, actor, name, 30)
  // Google Workspace suggests about two weeks in testing; 1 % leaves room for stray senders.
  return enforceReadiness(health, { minDays: 14, maxFailureRate: 0.01, policyMx: policy.mx })
}
