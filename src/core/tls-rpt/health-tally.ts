import { canonicalHost } from '../canonical-host.js'
import type { NormalizedPolicy } from './report.js'
import type { ReportTally } from './tally.js'

/** A host or address with the failed sessions the failure-details attribute to it. */
export interface FailingEntry {
  name: string
  failedSessions: number
}

/** Failed sessions per RFC 8460 §4.3 result type (types are non-exclusive, §4.4). */
export interface ResultTypeCount {
  resultType: string
  failedSessions: number
}

/** Sessions (successful + failed) of policies that match one served policy id, or 'unknown'. */
export interface PolicyUse {
  policyId: string
  sessions: number
}

/** The figures shown per day and for the whole window. */
export interface HealthFigures {
  reports: number
  reportIds: string[]
  successfulSessions: number
  failedSessions: number
  failuresByResultType: ResultTypeCount[]
  topFailingMxHosts: FailingEntry[]
  topFailingSendingIps: FailingEntry[]
  reporters: string[]
  appliedPolicies: PolicyUse[]
}

/** An MX pattern named by applied policies, with the successful sessions of those policies. */
export interface MxSuccess {
  mx: string
  successfulSessions: number
}

// Product rule: the dashboard shows the five worst hosts and addresses; the rest is in reports.
export const TOP_FAILING = 5
// The 11 registered types fit with room for a few unregistered ones; made-up types beyond that
// are attacker noise and stay in the stored reports.
export const RESULT_TYPES_SHOWN = 20

/** Mutable sums for one day or the window; Maps, because keys are attacker text. */
export interface Tally {
  reportIds: string[]
  successful: number
  failed: number
  byType: Map<string, number>
  byMx: Map<string, number>
  byIp: Map<string, number>
  reporters: Set<string>
  policies: Map<string, number>
  mxSuccess: Map<string, number>
}

/** An empty tally. */
export function newTally(): Tally {
  return {
    reportIds: [],
    successful: 0,
    failed: 0,
    byType: new Map(),
    byMx: new Map(),
    byIp: new Map(),
    reporters: new Set(),
    policies: new Map(),
    mxSuccess: new Map(),
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by)
}

// RFC 8461 §3.2: "mx:" *WSP value, as senders copy it into policy-string (RFC 8460 §4.5).
const MX_LINE = /^\s*mx:\s*(\S+)\s*$/

/** The MX patterns an applied policy names: mx-host plus its policy-string "mx:" lines. */
export function mxPatternsOf(policy: NormalizedPolicy): string[] {
  // RFC 8460 §4.5: for sts, policy-string holds one "mx: <pattern>" line per mx.
  const fromLines = policy.policyString
    .map((line) => MX_LINE.exec(line)?.[1])
    .filter((mx): mx is string => mx !== undefined)
  return [...new Set([...policy.mxHost, ...fromLines].map(canonicalHost))]
}

/**
 * Adds one stored report's tally to a day's or the window's sums. `policyIdOf` maps a policy
 * key (sorted policy-string lines; '' when not comparable) to the id we served, or 'unknown'.
 */
export function addTally(
  tally: Tally,
  id: string,
  organization: string,
  report: ReportTally,
  policyIdOf: (key: string) => string,
): void {
  tally.reportIds.push(id)
  tally.reporters.add(organization)
  tally.successful += report.successful
  tally.failed += report.failed
  for (const [key, sessions] of report.policies) bump(tally.policies, policyIdOf(key), sessions)
  for (const [mx, ok] of report.mxSuccess) bump(tally.mxSuccess, mx, ok)
  // RFC 8460 §4.4: failure types are non-exclusive, so these need not add up to `failed`.
  for (const [type, n] of report.byType) bump(tally.byType, type, n)
  for (const [mx, n] of report.byMx) bump(tally.byMx, mx, n)
  for (const [ip, n] of report.byIp) bump(tally.byIp, ip, n)
}

// Code-unit order: stable across locales, unlike localeCompare.
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function ranked(map: Map<string, number>, limit: number): FailingEntry[] {
  // Ties sort by name so the same data always gives the same answer.
  return [...map]
    .filter(([, count]) => count > 0)
    .sort(([a, x], [b, y]) => y - x || cmp(a, b))
    .slice(0, limit)
    .map(([name, failedSessions]) => ({ name, failedSessions }))
}

/** Turns a tally into the figures shown, sorted and cut to their top entries. */
export function figuresOf(tally: Tally): HealthFigures {
  const policies = [...tally.policies].map(([policyId, sessions]) => ({ policyId, sessions }))
  return {
    reports: tally.reportIds.length,
    reportIds: [...tally.reportIds].sort(),
    successfulSessions: tally.successful,
    failedSessions: tally.failed,
    failuresByResultType: ranked(tally.byType, RESULT_TYPES_SHOWN).map((entry) => ({
      resultType: entry.name,
      failedSessions: entry.failedSessions,
    })),
    topFailingMxHosts: ranked(tally.byMx, TOP_FAILING),
    topFailingSendingIps: ranked(tally.byIp, TOP_FAILING),
    reporters: [...tally.reporters].sort(),
    appliedPolicies: policies.sort(
      (a, b) => b.sessions - a.sessions || cmp(a.policyId, b.policyId),
    ),
  }
}
