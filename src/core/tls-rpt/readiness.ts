import { canonicalHost } from '../canonical-host.js'
import type { TlsHealth } from './health.js'

export interface ReadinessOptions {
  /** Days in the window that must have at least one report. */
  minDays: number
  /** Highest failed / all sessions over the window, 0 to 1, inclusive. */
  maxFailureRate: number
  /** The mx patterns of the policy about to be enforced, as served. */
  policyMx: string[]
}

export interface Readiness {
  ready: boolean
  /** The unmet criteria when not ready; the evidence for each criterion when ready. */
  reasons: string[]
}

function covers(pattern: string, reported: string): boolean {
  if (pattern === reported) return true
  // RFC 8461 §4.1: "*." matches exactly one left-most label of a reported host name.
  if (!pattern.startsWith('*.') || reported.startsWith('*.')) return false
  const dot = reported.indexOf('.')
  return dot > 0 && reported.slice(dot + 1) === pattern.slice(2)
}

const percent = (rate: number): string => `${(rate * 100).toFixed(2)}%`

/** Advises whether a domain may move from testing to enforce (RFC 8461 §5); never switches. */
export function enforceReadiness(h: TlsHealth, opts: ReadinessOptions): Readiness {
  const met: string[] = []
  const unmet: string[] = []
  const check = (ok: boolean, reason: string) => (ok ? met : unmet).push(reason)
  const { daysWithReports, successfulSessions, failedSessions } = h.totals
  check(
    daysWithReports >= opts.minDays,
    `${daysWithReports} of ${h.days.length} days have reports; ${opts.minDays} needed`,
  )
  const sessions = successfulSessions + failedSessions
  const rate = sessions === 0 ? 1 : failedSessions / sessions
  check(
    sessions > 0 && rate <= opts.maxFailureRate,
    sessions === 0
      ? 'no sessions were reported'
      : `failure rate ${percent(rate)} of ${sessions} sessions; at most ${percent(opts.maxFailureRate)} allowed`,
  )
  // TLS-RPT counts successes per applied policy, not per MX (RFC 8460 §4.2.1), so an mx counts
  // as seen when a policy naming it had successful sessions: the best evidence reports give.
  const reported = h.totals.mxWithSuccessfulSessions.filter((m) => m.successfulSessions > 0)
  const unseen = opts.policyMx
    .map(canonicalHost)
    .filter((p) => !reported.some((m) => covers(p, m.mx)))
  if (opts.policyMx.length === 0) unmet.push('the policy lists no mx to check')
  else {
    check(
      unseen.length === 0,
      unseen.length === 0
        ? `every mx of the policy was named by policies with successful sessions`
        : `no successful sessions reported for mx ${unseen.join(', ')}`,
    )
  }
  return unmet.length === 0 ? { ready: true, reasons: met } : { ready: false, reasons: unmet }
}
