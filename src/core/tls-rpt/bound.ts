import type { NormalizedFailureDetail, NormalizedPolicy, NormalizedReport } from './report.js'
import { TALLY_ENTRIES } from './tally.js'

/**
 * How much of a report is stored in parsed form. The raw report is kept (gzip) for anyone who
 * needs every row; the parsed form is for display, so it keeps the first rows and sums the rest.
 * Without this an 8 MB report of valid JSON stored 8 MB of parsed rows (issue 9 finding 6).
 */
export interface StoreBounds {
  /** Policies kept in detail per report. */
  policies: number
  /** Failure-detail rows kept per policy. */
  detailsPerPolicy: number
  /** Budget for the whole parsed form, in JSON characters; rows past it are summed too. */
  parsedBytes: number
}

/** policy-string lines and mx-host entries kept per policy (real policies have a handful). */
export const POLICY_LINES_KEPT = 100

export interface ResultTypeSum {
  resultType: string
  failedSessions: number
}

/** Failure-detail rows not kept: how many, their sessions, and the sessions per result type. */
export interface OmittedDetails {
  count: number
  failedSessions: number
  /** The largest TALLY_ENTRIES result types; `otherResultTypes` counts the types beyond. */
  byResultType: ResultTypeSum[]
  otherResultTypes: number
}

export interface BoundedPolicy extends NormalizedPolicy {
  /** "and N more" failure-detail rows, summed. */
  omittedFailureDetails?: OmittedDetails
  omittedPolicyStringLines?: number
  omittedMxHosts?: number
}

/** Policies not kept: how many, their summed sessions and failure-detail rows. */
export interface OmittedPolicies {
  count: number
  successfulSessions: number
  failedSessions: number
  /** Failure-detail rows of those policies. */
  failureDetails: number
  byResultType: ResultTypeSum[]
  otherResultTypes: number
}

export interface BoundedReport extends NormalizedReport {
  policies: BoundedPolicy[]
  omittedPolicies?: OmittedPolicies
}

const size = (value: unknown): number => JSON.stringify(value)?.length ?? 0

/** Sums failure-detail rows per result type. */
class DetailSums {
  count = 0
  failedSessions = 0
  private byType = new Map<string, number>()

  add(detail: NormalizedFailureDetail): void {
    this.count++
    this.failedSessions += detail.failedSessionCount
    const type = detail.resultType
    this.byType.set(type, (this.byType.get(type) ?? 0) + detail.failedSessionCount)
  }

  summary(): OmittedDetails {
    const sorted = [...this.byType].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    return {
      count: this.count,
      failedSessions: this.failedSessions,
      byResultType: sorted
        .slice(0, TALLY_ENTRIES)
        .map(([resultType, failedSessions]) => ({ resultType, failedSessions })),
      otherResultTypes: Math.max(0, sorted.length - TALLY_ENTRIES),
    }
  }
}

/** Takes items in order while the count and the budget allow; the rest are left out. */
function takeWithin<T>(items: T[], max: number, budget: { left: number }): T[] {
  const kept: T[] = []
  for (const item of items) {
    if (kept.length >= max) break
    const cost = size(item) + 1
    if (cost > budget.left) break
    budget.left -= cost
    kept.push(item)
  }
  return kept
}

/**
 * The stored parsed form: at most `bounds.policies` policies, `bounds.detailsPerPolicy`
 * failure-detail rows each, and `bounds.parsedBytes` in all; what is beyond is summed with
 * "and N more" markers. Summary counts are never cut (RFC 8460 §4.2).
 */
export function boundReport(report: NormalizedReport, bounds: StoreBounds): BoundedReport {
  const { policies: _all, ...head } = report
  const budget = { left: bounds.parsedBytes - size(head) - 64 }
  const kept: BoundedPolicy[] = []
  const omitted = { count: 0, successful: 0, failed: 0, details: new DetailSums() }
  for (const policy of report.policies) {
    const { policyString, mxHost, failureDetails, ...rest } = policy
    const cost = size(rest) + 96
    if (kept.length >= bounds.policies || cost > budget.left) {
      omitted.count++
      omitted.successful += policy.summary.totalSuccessfulSessionCount
      omitted.failed += policy.summary.totalFailureSessionCount
      for (const d of failureDetails) omitted.details.add(d)
      continue
    }
    budget.left -= cost
    const lines = takeWithin(policyString, POLICY_LINES_KEPT, budget)
    const hosts = takeWithin(mxHost, POLICY_LINES_KEPT, budget)
    const details = takeWithin(failureDetails, bounds.detailsPerPolicy, budget)
    const bounded: BoundedPolicy = {
      ...rest,
      policyString: lines,
      mxHost: hosts,
      failureDetails: details,
    }
    if (lines.length < policyString.length) {
      bounded.omittedPolicyStringLines = policyString.length - lines.length
    }
    if (hosts.length < mxHost.length) bounded.omittedMxHosts = mxHost.length - hosts.length
    if (details.length < failureDetails.length) {
      const sums = new DetailSums()
      for (const d of failureDetails.slice(details.length)) sums.add(d)
      bounded.omittedFailureDetails = sums.summary()
      // Charged after the fact: the budget is overrun by at most one summary, then closes.
      budget.left -= size(bounded.omittedFailureDetails)
    }
    kept.push(bounded)
  }
  const bounded: BoundedReport = { ...head, policies: kept }
  if (omitted.count > 0) {
    const { count: failureDetails, byResultType, otherResultTypes } = omitted.details.summary()
    bounded.omittedPolicies = {
      count: omitted.count,
      successfulSessions: omitted.successful,
      failedSessions: omitted.failed,
      failureDetails,
      byResultType,
      otherResultTypes,
    }
  }
  return bounded
}
