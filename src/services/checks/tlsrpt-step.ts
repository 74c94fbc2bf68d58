/**
 * The checker's TLS-RPT step (issue 13): the reports senders sent us for the last few days,
 * added up by the store from the tallies made at intake (not the health view's worker job: a
 * check of each of a tenant's domains at once would overrun the tenant's worker share), against
 * TLSRPT_ALERT_FAILURE_PERCENT (core/checks/tlsrpt-findings.ts).
 */
import { TYPES_SHOWN, tlsRptFindings } from '../../core/checks/tlsrpt-findings.js'
import type { Domain, StoredPolicy } from '../../core/ports.js'
import type { ServiceDeps } from '../deps.js'
import { dayOf } from '../tls-rpt/report-intake.js'
import { attempt, type Result } from './check-step.js'

/**
 * Today and the two days before (UTC): reports cover a whole day and arrive within a day of it
 * (RFC 8460 §4.1 asks for daily reports), so three days hold the latest one or two reports of
 * each sender while a problem fixed days ago drops out soon.
 */
export const TLSRPT_CHECK_DAYS = 3

/** Failed sessions below this are a stray sender, whatever their share. */
export const TLSRPT_MIN_FAILED_SESSIONS = 10

export function tlsRptStep(
  deps: ServiceDeps,
  domain: Domain,
  policy: StoredPolicy | null,
  at: Date,
): Promise<Result> {
  return attempt('tls-rpt', async () => {
    const from = dayOf(new Date(at.getTime() - (TLSRPT_CHECK_DAYS - 1) * 86_400_000))
    const totals = await deps.repos.reports.failureTotals(domain.id, from, dayOf(at), TYPES_SHOWN)
    return tlsRptFindings(totals, policy?.mode ?? null, {
      failurePercent: deps.checkRules.tlsRptFailurePercent,
      minFailedSessions: TLSRPT_MIN_FAILED_SESSIONS,
      days: TLSRPT_CHECK_DAYS,
    })
  })
}
