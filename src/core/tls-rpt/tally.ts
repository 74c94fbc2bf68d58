import { canonicalHost } from '../canonical-host.js'
import { mxPatternsOf } from './health-tally.js'
import type { NormalizedReport } from './report.js'

/**
 * One report's sums for one policy domain, computed once at intake from the whole report, so
 * that the health view adds up small rows instead of parsing megabytes of stored reports.
 * Every list is cut to its largest entries: the view shows the top five of each, and what a
 * single report lists beyond TALLY_ENTRIES is noise (or an attacker's padding).
 */
export interface ReportTally {
  successful: number
  failed: number
  /** [policy key (sorted policy-string lines) or '' when not comparable, sessions]. */
  policies: Array<[string, number]>
  /** [mx pattern of a policy with successful sessions, successful sessions]. */
  mxSuccess: Array<[string, number]>
  /** [result type, failed sessions] (RFC 8460 §4.3; types are non-exclusive, §4.4). */
  byType: Array<[string, number]>
  /** [receiving-mx-hostname, failed sessions]. */
  byMx: Array<[string, number]>
  /** [sending-mta-ip, failed sessions]. */
  byIp: Array<[string, number]>
}

/** Entries kept per list of one report's tally (the view shows five of each). */
export const TALLY_ENTRIES = 20
/** Distinct applied policies kept per report; a sender applies one policy per domain at a time. */
export const TALLY_POLICIES = 8
/** A policy key longer than this cannot be one we served (ours are a few lines); it is ''. */
export const POLICY_KEY_MAX = 4096

/**
 * Senders list policy lines in their own order (Google: max_age before mx; we render mx first)
 * and may drop the line terminators, so the lines are compared as a sorted set.
 */
export function policyKey(lines: string[]): string {
  return lines
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .sort()
    .join('\n')
}

function bump(map: Map<string, number>, key: string, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by)
}

// Largest first, ties by name (code-unit order, stable across locales).
function top(map: Map<string, number>, limit: number): Array<[string, number]> {
  return [...map].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0)).slice(0, limit)
}

interface Sums {
  successful: number
  failed: number
  policies: Map<string, number>
  mxSuccess: Map<string, number>
  byType: Map<string, number>
  byMx: Map<string, number>
  byIp: Map<string, number>
}

const newSums = (): Sums => ({
  successful: 0,
  failed: 0,
  policies: new Map(),
  mxSuccess: new Map(),
  byType: new Map(),
  byMx: new Map(),
  byIp: new Map(),
})

function cut(sums: Sums): ReportTally {
  const policies = top(sums.policies, TALLY_POLICIES)
  // Sessions of policies beyond the kept ones still count, as not comparable ('').
  let beyond = [...sums.policies.values()].reduce((n, v) => n + v, 0)
  for (const [, v] of policies) beyond -= v
  if (beyond > 0) {
    const unknown = policies.find(([k]) => k === '')
    if (unknown) unknown[1] += beyond
    else policies.push(['', beyond])
  }
  return {
    successful: sums.successful,
    failed: sums.failed,
    policies,
    mxSuccess: top(sums.mxSuccess, TALLY_ENTRIES),
    byType: top(sums.byType, TALLY_ENTRIES),
    byMx: top(sums.byMx, TALLY_ENTRIES),
    byIp: top(sums.byIp, TALLY_ENTRIES),
  }
}

/**
 * The tally of every policy domain a report speaks for (lower-case A-labels). Counts are safe
 * integers and their per-report sums are checked by the schema, so these sums stay exact.
 */
export function tallyReport(
  report: NormalizedReport,
): Array<{ domain: string; tally: ReportTally }> {
  const perDomain = new Map<string, Sums>()
  for (const policy of report.policies) {
    const domain = canonicalHost(policy.policyDomain)
    const sums = perDomain.get(domain) ?? newSums()
    perDomain.set(domain, sums)
    const { totalSuccessfulSessionCount: ok, totalFailureSessionCount: failed } = policy.summary
    sums.successful += ok
    sums.failed += failed
    // RFC 8460 §4.5: an sts policy-string is the policy the sender applied, line by line.
    const key =
      policy.policyType === 'sts' && policy.policyString.length > 0
        ? policyKey(policy.policyString)
        : ''
    bump(sums.policies, key.length > POLICY_KEY_MAX ? '' : key, ok + failed)
    if (ok > 0) for (const mx of mxPatternsOf(policy)) bump(sums.mxSuccess, mx, ok)
    for (const detail of policy.failureDetails) {
      bump(sums.byType, detail.resultType, detail.failedSessionCount)
      // Entries without a host or address (fetch errors) count by type only.
      const mx = detail.receivingMxHostname
      if (mx !== undefined) bump(sums.byMx, canonicalHost(mx), detail.failedSessionCount)
      const ip = detail.sendingMtaIp
      if (ip !== undefined) bump(sums.byIp, ip.toLowerCase(), detail.failedSessionCount)
    }
  }
  return [...perDomain].map(([domain, sums]) => ({ domain, tally: cut(sums) }))
}

/** A stored tally as read back (JSON); null when it does not have the expected shape. */
export function readTally(value: unknown): ReportTally | null {
  if (typeof value !== 'object' || value === null) return null
  const t = value as Partial<ReportTally>
  const lists = [t.policies, t.mxSuccess, t.byType, t.byMx, t.byIp]
  if (typeof t.successful !== 'number' || typeof t.failed !== 'number') return null
  return lists.every(Array.isArray) ? (t as ReportTally) : null
}
